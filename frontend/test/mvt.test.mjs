// test/mvt.test.mjs: the dashboard on a store with more grids than the
// server's GeoJSON threshold (a synthetic city of ~6,000 grids loaded by
// `wangge demo --grids 6000`): the server configures gridSource "mvt", the
// page draws the grids from /tiles/grids/{z}/{x}/{y}.mvt in their band
// colours with the bearer token, and a clicked grid's popup is completed
// from /api/v1/areas/{code} (tiles carry no people), as is the hover popup.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, launch, openDashboard, waitIdle, haveChromium, screenshotDir, gridPixel } from './harness.mjs';

const BAND = { low: [0x4f, 0x8f, 0xe6], mid: [0x2f, 0xb6, 0x7c], high: [0xe5, 0x53, 0x3d] };
const bandOf = (h) => (h < 300 ? 'low' : h <= 600 ? 'mid' : 'high');

let srv; let chrome; let dash; let skip = false;
const tileAuth = [];

before(async () => {
  if (!(await haveChromium())) {
    if (process.env.CI) throw new Error('/usr/bin/chromium is missing (scripts/frontend-test.sh installs it)');
    skip = true;
    return;
  }
  srv = await startServer({ demo: ['--grids', '6000', '--reports', '5000'] });
  chrome = await launch();
  dash = await openDashboard(chrome.browser, srv.url);
  dash.page.on('request', (r) => {
    if (r.url().includes('/tiles/grids/')) tileAuth.push(r.headers().authorization || '');
  });
  await waitIdle(dash.page, 0, 120e3);
});

after(async () => {
  await chrome?.close();
  await srv?.stop();
});

test('past the GeoJSON threshold the grids come as vector tiles, in band colours', { timeout: 180e3 }, async (t) => {
  if (skip) return t.skip('no chromium');
  const { page } = dash;
  assert.equal(await page.evaluate(() => window.WANGGE_CONFIG.gridSource), 'mvt');
  assert.equal(await page.evaluate(() => window.__map.getSource('grids').type), 'vector');
  // Zoom in one step so that tiles are fetched after the request listener is attached.
  await page.evaluate(() => { window.__map.zoomIn({ duration: 0 }); });
  await page.waitForFunction(() => !window.__map.isMoving() && window.__map.areTilesLoaded());
  await page.evaluate(() => new Promise((ok) => { window.__map.once('idle', ok); window.__map.triggerRepaint(); }));
  const rendered = await page.evaluate(() => window.__map.queryRenderedFeatures({ layers: ['grids-fill'] })
    .map((f) => ({ code: f.properties.code, households: Number(f.properties.households), c: f.layer.paint['fill-color'] })));
  assert.ok(rendered.length > 100, `grids drawn from tiles: ${rendered.length}`);
  for (const r of rendered) {
    assert.deepEqual([r.c.r, r.c.g, r.c.b].map((v) => Math.round(v * 255)), BAND[bandOf(r.households)], `grid ${r.code}`);
  }
  assert.ok(tileAuth.length > 0, 'tiles were requested');
  for (const a of tileAuth) assert.equal(a, `Bearer ${srv.token}`, 'tile requests carry the bearer token');
  t.diagnostic(`${new Set(rendered.map((r) => r.code)).size} grids drawn from ${tileAuth.length} tile requests`);

  // The legend counts every grid of the partition by band, not only those
  // in the tiles on screen: the same figures as the summary endpoint, whose
  // total is the number of grids the areas endpoint matches.
  const get = async (p) => (await fetch(srv.url + p, { headers: { Authorization: `Bearer ${srv.token}` } })).json();
  const { grid_bands: b } = await get('/api/v1/stats/summary');
  const { numberMatched } = await get('/api/v1/areas?level=grid&limit=1');
  assert.equal(b.under + b.normal + b.over, numberMatched, 'bands count every grid');
  await page.waitForFunction((b) => document.body.dataset.bandLow === String(b.under)
    && document.body.dataset.bandMid === String(b.normal) && document.body.dataset.bandHigh === String(b.over), b);
  const head = await page.textContent('#legend h3');
  assert.ok(head.includes(String(numberMatched)) && !head.includes('*'), `legend heading "${head}"`);
  t.diagnostic(`legend: ${head}; ${JSON.stringify(b)}`);
  assert.deepEqual(dash.blocked, []);
});

test('a grid clicked in vector-tile mode shows its leader from the areas endpoint', { timeout: 120e3 }, async (t) => {
  if (skip) return t.skip('no chromium');
  const { page } = dash;
  const grids = await (await fetch(`${srv.url}/api/v1/areas?level=grid&limit=50`, { headers: { Authorization: `Bearer ${srv.token}` } })).json();
  const g = grids.features.find((f) => f.properties.leader && !f.properties.vacant);
  assert.ok(g, 'a grid with a leader');
  await page.fill('#search-input', g.properties.code);
  await page.click('#search button');
  await page.waitForFunction((c) => document.body.dataset.searchHit === c, g.properties.code);
  await page.waitForFunction(() => !window.__map.isMoving() && window.__map.areTilesLoaded());
  await page.waitForFunction((name) => document.querySelector('.click-pop .leader')?.textContent.includes(name), g.properties.leader.name);
  await mkdir(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, 'mvt.png') });
  t.diagnostic(`${g.properties.code}: ${await page.textContent('.click-pop .leader')}`);

  // Hovering the grid (popup closed) fills in the leader too, once the
  // pointer rests on it.
  await page.click('.click-pop .maplibregl-popup-close-button');
  const px = await gridPixel(page, g.properties.code);
  assert.ok(px, `grid ${g.properties.code} is on screen`);
  await page.mouse.move(px[0] - 3, px[1]);
  await page.mouse.move(px[0], px[1]);
  await page.waitForSelector(`.hover-pop .grid-pop[data-code="${g.properties.code}"]`);
  await page.waitForFunction((name) => document.querySelector('.hover-pop .leader')?.textContent.includes(name), g.properties.leader.name);
  t.diagnostic(`hover: ${await page.textContent('.hover-pop .leader')}`);
  assert.deepEqual(dash.blocked, []);
});
