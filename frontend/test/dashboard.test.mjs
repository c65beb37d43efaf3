// test/dashboard.test.mjs: the dashboard in headless Chromium against the
// real wangge server (go build ./cmd/wangge; `serve` seeds the demo district
// on first start). Every request not to the server is blocked and must not
// have been attempted. Waits are on the page's DOM flags, never on timers.
//
// Run: node --test --test-concurrency=1 test/*.test.mjs  (scripts/frontend-test.sh)
// WANGGE_URL (+ WANGGE_TOKEN) points the tests at a running server instead.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  startServer, launch, openDashboard, waitIdle, renderSeq, haveChromium, screenshotDir, gridPixel,
} from './harness.mjs';

const BAND = { low: [0x4f, 0x8f, 0xe6], mid: [0x2f, 0xb6, 0x7c], high: [0xe5, 0x53, 0x3d] };
const bandOf = (h) => (h < 300 ? 'low' : h <= 600 ? 'mid' : 'high');

let srv; let chrome; let dash; let grids;
let skip = false;

async function api(path, init = {}) {
  const res = await fetch(srv.url + path, {
    ...init,
    headers: { ...(srv.token ? { Authorization: `Bearer ${srv.token}` } : {}), ...(init.headers || {}) },
  });
  const text = await res.text();
  assert.ok(res.ok, `${init.method || 'GET'} ${path}: HTTP ${res.status} ${text}`);
  return JSON.parse(text);
}

before(async () => {
  if (!(await haveChromium())) {
    if (process.env.CI) throw new Error('/usr/bin/chromium is missing (scripts/frontend-test.sh installs it)');
    skip = true;
    return;
  }
  srv = process.env.WANGGE_URL
    ? { url: process.env.WANGGE_URL.replace(/\/$/, ''), token: process.env.WANGGE_TOKEN || '', stop: async () => {} }
    : await startServer();
  grids = await api('/api/v1/areas?level=grid');
  chrome = await launch();
  dash = await openDashboard(chrome.browser, srv.url);
  await waitIdle(dash.page, 0, 90e3);
  await mkdir(screenshotDir, { recursive: true });
});

after(async () => {
  await chrome?.close();
  await srv?.stop();
});

// submitRefused submits the appointment form, whose phone the server must
// refuse: its 400 is shown under the form, and the browser's log of the
// refused request (asked for) is taken off the page's errors. The flag of
// an earlier refusal is cleared first, so the wait is for this one.
async function submitRefused(page) {
  await page.evaluate(() => { delete document.body.dataset.appointError; });
  await page.click('#appoint-form button[type=submit]');
  await page.waitForFunction(() => document.body.dataset.appointError === '400');
  assert.match(await page.textContent('#appoint-form .appoint-error'), /phone/);
  const logged = dash.errors.findIndex((e) => /status of 400/.test(e));
  assert.ok(logged >= 0, 'the 400 was logged');
  dash.errors.splice(logged, 1);
}

function noStrayRequests() {
  assert.deepEqual(dash.blocked, [], 'the page tried to reach hosts other than the wangge server');
  const errs = dash.errors.filter((e) => !/Failed to load resource.*(404|401)/.test(e));
  assert.deepEqual(errs, [], 'page errors');
}

test('grids are drawn in their household band colours, with a legend that counts them', { timeout: 120e3 }, async (t) => {
  if (skip) return t.skip('no chromium');
  const { page } = dash;
  assert.ok(grids.features.length > 0, 'the demo district has grids');
  const flags = await page.evaluate(() => ({ ...document.body.dataset }));
  assert.ok(Number(flags.gridsRendered) > 0, `grids rendered: ${flags.gridsRendered}`);

  const rendered = await page.evaluate(() => window.__map.queryRenderedFeatures({ layers: ['grids-fill'] })
    .map((f) => ({ code: f.properties.code, households: Number(f.properties.households), c: f.layer.paint['fill-color'] })));
  const byCode = new Map(grids.features.map((f) => [f.properties.code, f.properties]));
  const seenBands = new Set();
  for (const r of rendered) {
    const want = BAND[bandOf(byCode.get(r.code)?.households ?? r.households)];
    const got = [r.c.r, r.c.g, r.c.b].map((v) => Math.round(v * 255));
    assert.deepEqual(got, want, `grid ${r.code} with ${r.households} households`);
    seenBands.add(bandOf(r.households));
  }
  const counts = { low: 0, mid: 0, high: 0 };
  for (const f of grids.features) counts[bandOf(f.properties.households)]++;
  assert.equal(Number(flags.bandLow), counts.low, 'legend: under 300');
  assert.equal(Number(flags.bandMid), counts.mid, 'legend: 300–600');
  assert.equal(Number(flags.bandHigh), counts.high, 'legend: over 600');
  t.diagnostic(`rendered ${new Set(rendered.map((r) => r.code)).size} of ${grids.features.length} grids; bands seen ${[...seenBands]}; legend ${JSON.stringify(counts)}`);

  await page.waitForFunction(() => document.querySelectorAll('#area-table tbody tr').length > 0);
  await page.screenshot({ path: join(screenshotDir, 'dashboard.png') });
  noStrayRequests();
});

test('the heatmap reacts to the time range and the category filter', { timeout: 120e3 }, async (t) => {
  if (skip) return t.skip('no chromium');
  const { page } = dash;
  const heat = async (action) => {
    const seq = await renderSeq(page);
    await action();
    const d = await waitIdle(page, seq);
    return { cells: Number(d.heatCells), total: Number(d.heatTotal) };
  };
  const d30 = await heat(() => page.click('#ranges button[data-range="30d"]'));
  const d7 = await heat(() => page.click('#ranges button[data-range="7d"]'));
  const h24 = await heat(() => page.click('#ranges button[data-range="24h"]'));
  t.diagnostic(`30d ${JSON.stringify(d30)} 7d ${JSON.stringify(d7)} 24h ${JSON.stringify(h24)}`);
  assert.ok(d30.total > 0, 'the demo district has reports in the last 30 days');
  assert.ok(d30.total >= d7.total && d7.total >= h24.total, 'a shorter range never shows more reports');
  assert.ok(d30.total > h24.total, 'the 30-day heatmap holds more reports than the 24-hour one');

  await heat(() => page.click('#ranges button[data-range="30d"]'));
  const boxes = await page.$$eval('#categories input', (xs) => xs.map((x) => x.value));
  assert.ok(boxes.length >= 2, 'categories are listed');
  // Keep only the category with the most reports in the heatmap … then none.
  const per = {};
  for (const c of boxes) {
    const now = Date.now();
    const r = await api(`/api/v1/stats/heatmap?from=${new Date(now - 30 * 864e5).toISOString()}&to=${new Date(now).toISOString()}&category=${c}`);
    per[c] = r.cells.reduce((s, x) => s + x[2], 0);
  }
  const top = boxes.reduce((a, b) => (per[b] > per[a] ? b : a));
  let one = null;
  for (const c of boxes) {
    if (c === top) continue;
    one = await heat(() => page.click(`#categories input[value="${c}"]`));
  }
  t.diagnostic(`only ${top}: ${JSON.stringify(one)} (API says ${per[top]})`);
  assert.ok(one.total < d30.total || per[top] === d30.total, 'one category shows fewer reports than all');
  assert.ok(Math.abs(one.total - per[top]) <= 2, `one category: page ${one.total} vs API ${per[top]}`);
  const none = await heat(() => page.click(`#categories input[value="${top}"]`));
  assert.equal(none.cells, 0, 'no category ticked: no heat');
  // Restore every category.
  for (const c of boxes) await heat(() => page.click(`#categories input[value="${c}"]`));

  // The day slider shows one day of the range; the play button steps through the days.
  const week = await heat(() => page.click('#ranges button[data-range="7d"]'));
  const days = [];
  for (const v of [0, 6]) {
    days.push(await heat(() => page.evaluate((x) => {
      const el = document.getElementById('day-slider');
      el.value = String(x);
      el.dispatchEvent(new Event('input'));
    }, v)));
  }
  t.diagnostic(`7d ${week.total}; first day ${days[0].total}; last day ${days[1].total}`);
  for (const d of days) assert.ok(d.total <= week.total, 'one day never shows more than the week');
  assert.ok(days[0].total + days[1].total <= week.total);
  await heat(() => page.click('#ranges button[data-range="7d"]'));
  // Each render records the day its heatmap was fetched for (heatDay), so the
  // check does not depend on how the 1.5 s steps fall against the renders.
  const shown = [];
  for (let i = 0; i < 2; i++) {
    const seq = await renderSeq(page);
    if (i === 0) await page.click('#play');
    const d = await waitIdle(page, seq);
    shown.push({ day: d.heatDay, total: Number(d.heatTotal), label: await page.textContent('#day-label') });
  }
  await page.click('#play');
  t.diagnostic(`playing: ${JSON.stringify(shown)}`);
  for (const s of shown) {
    assert.match(s.day, /^[0-6]$/, 'playing shows single days');
    assert.doesNotMatch(s.label, /全部|All/, 'the label names a single day while playing');
    assert.ok(s.total <= week.total);
  }
  assert.ok(Number(shown[1].day) > Number(shown[0].day), 'the animation moves on by a day');
  await heat(() => page.click('#ranges button[data-range="7d"]'));
  noStrayRequests();
});

test('a case submitted through the API appears live on the map and in the feed', { timeout: 120e3 }, async (t) => {
  if (skip) return t.skip('no chromium');
  const { page } = dash;
  await page.waitForFunction(() => document.body.dataset.live === '1', null, { timeout: 30e3 });
  const g = grids.features[Math.floor(grids.features.length / 2)];
  const [lon, lat] = await page.evaluate((geom) => {
    const ring = geom.type === 'Polygon' ? geom.coordinates[0] : geom.coordinates[0][0];
    let x = 0, y = 0;
    for (const p of ring.slice(0, -1)) { x += p[0]; y += p[1]; }
    return [x / (ring.length - 1), y / (ring.length - 1)];
  }, g.geometry);
  const body = JSON.stringify({ category: 'safety_hazard', description: '浏览器测试：楼道堆放杂物', lon, lat, source: 'patrol' });
  const created = await api('/api/v1/reports', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
  const id = String(created.id ?? created.properties?.id ?? created.report?.id);
  assert.ok(id && id !== 'undefined', `created report has an id: ${JSON.stringify(created)}`);
  await page.waitForSelector(`.pulse[data-id="${id}"]`, { timeout: 30e3 });
  await page.waitForSelector(`#live-list li[data-id="${id}"]`);
  const text = await page.textContent(`#live-list li[data-id="${id}"]`);
  assert.match(text, /楼道堆放杂物/);
  // The marker stands where the report was made.
  const at = await page.evaluate((i) => {
    const el = document.querySelector(`.pulse[data-id="${i}"]`);
    const r = el.getBoundingClientRect();
    const c = window.__map.getCanvas().getBoundingClientRect();
    const ll = window.__map.unproject([r.x + r.width / 2 - c.x, r.y + r.height / 2 - c.y]);
    return [ll.lng, ll.lat];
  }, id);
  assert.ok(Math.abs(at[0] - lon) < 0.002 && Math.abs(at[1] - lat) < 0.002, `marker at ${at}, report at ${[lon, lat]}`);
  // Clicking it shows the case and its timeline.
  await page.click(`.pulse[data-id="${id}"]`);
  await page.waitForSelector(`#case-detail[data-id="${id}"] .timeline li`);
  // A case the page has not seen, filed ten minutes ago and changed since
  // (rerouted by a boundary edit, say), updates the lists but is not new.
  const counted = await page.evaluate(() => {
    const before = Number(document.body.dataset.liveCount || 0);
    const c = new Date(Date.now() - 600e3).toISOString();
    window.__onLiveReport({ id: 987654321, category: 'other', status: 'reported', created_at: c, updated_at: new Date().toISOString(), lon: 120.4, lat: 36.2 });
    return Number(document.body.dataset.liveCount || 0) - before;
  });
  assert.equal(counted, 0, 'a changed case is not counted as new');
  noStrayRequests();
});

test('clicking a grid shows its leader (or the vacancy and the fallback)', { timeout: 120e3 }, async (t) => {
  if (skip) return t.skip('no chromium');
  const { page } = dash;
  const pick = [
    grids.features.find((f) => f.properties.leader && !f.properties.vacant),
    grids.features.find((f) => f.properties.vacant),
  ].filter(Boolean);
  for (const g of pick) {
    const p = g.properties;
    const seq = await renderSeq(page);
    await page.fill('#search-input', p.code);
    await page.click('#search button');
    await page.waitForFunction((c) => document.body.dataset.searchHit === c, p.code);
    await waitIdle(page, seq).catch(() => {});
    await page.waitForFunction(() => !window.__map.isMoving());
    const px = await gridPixel(page, p.code);
    assert.ok(px, `grid ${p.code} is on screen after the search`);
    await page.mouse.click(px[0], px[1]);
    await page.waitForSelector(`.click-pop .grid-pop[data-code="${p.code}"]`);
    const leader = await page.textContent('.click-pop .leader');
    if (p.vacant || !p.leader) {
      assert.match(leader, /空缺|vacant/);
      if (p.fallback) assert.ok(leader.includes(p.fallback.name), `fallback ${p.fallback.name} in "${leader}"`);
    } else {
      assert.ok(leader.includes(p.leader.name), `leader ${p.leader.name} in "${leader}"`);
      if (p.leader.phone) assert.ok(leader.includes(p.leader.phone), `phone ${p.leader.phone} in "${leader}"`);
    }
    const crumb = await page.evaluate(() => document.body.dataset.crumb);
    assert.equal(crumb, 'district>street>community>grid');
    t.diagnostic(`${p.code}: ${leader}`);
  }
  noStrayRequests();
});

test("a clicked grid's popup lists its team — deputies, staff, officers and volunteers, the leader only in the row above — with their phones", { timeout: 120e3 }, async (t) => {
  if (skip) return t.skip('no chromium');
  assert.ok(srv.token, 'the page has a token (people are listed only to a signed-in page)');
  const { page } = dash;
  const g = grids.features.find((f) => f.properties.leader && !f.properties.vacant).properties;
  const all = (await api(`/api/v1/people?area=${g.code}`)).people;
  const people = all.filter((p) => p.id !== g.leader.id);
  assert.equal(all.length - people.length, 1, 'the leader is on the grid');
  assert.ok(people.length >= 3, `the demo gives ${g.code} a team, got ${people.length}`);
  await page.evaluate(() => { delete document.body.dataset.teamGrid; });
  await page.fill('#search-input', g.code);
  await page.click('#search button');
  // The search opens the grid's popup, which loads the team.
  await page.waitForFunction((c) => document.body.dataset.teamGrid === c, g.code, { timeout: 30e3 });
  const rows = await page.$$eval(`.click-pop .grid-pop[data-code="${g.code}"] .team li`, (els) => els.map((e) => ({ id: e.dataset.id, role: e.querySelector('.role')?.textContent, text: e.textContent, more: e.classList.contains('more') })));
  const listed = rows.filter((r) => !r.more);
  assert.equal(listed.length, Math.min(people.length, 8), 'up to eight people listed');
  if (people.length > 8) assert.match(rows.at(-1).text, new RegExp(`${people.length - 8}`), 'the rest are counted');
  assert.ok(listed.every((r) => r.id !== String(g.leader.id)), 'the leader is not listed twice');
  assert.ok((await page.textContent('.click-pop .leader')).includes(g.leader.name), 'the leader row names the leader');
  const byId = new Map(people.map((p) => [String(p.id), p]));
  const order = ['grid_leader', 'deputy_leader', 'grid_staff', 'info_officer', 'volunteer'];
  let last = -1;
  for (const r of listed) {
    const p = byId.get(r.id);
    assert.ok(p, `listed person ${r.id} is on the grid`);
    assert.ok(r.text.includes(p.name), `${p.name} in "${r.text}"`);
    if (p.phone) assert.ok(r.text.includes(p.phone), `${p.phone} in "${r.text}"`);
    const rank = Math.min(...p.assignments.filter((a) => a.area_code === g.code).map((a) => order.indexOf(a.role)).filter((x) => x >= 0));
    assert.ok(rank >= last, `${p.name} (${r.role}) listed in role order`);
    last = rank;
  }
  const pop = await page.$('.click-pop');
  await pop.screenshot({ path: join(screenshotDir, 'grid-team.png') });
  t.diagnostic(`${g.code}: ${listed.map((r) => r.text).join(' | ')}`);
  noStrayRequests();
});

test("the command center adds a volunteer from a grid's popup — the team lists them, the store has the post — and removes them again", { timeout: 120e3 }, async (t) => {
  if (skip) return t.skip('no chromium');
  const { page } = dash;
  const g = grids.features.find((f) => f.properties.leader && !f.properties.vacant && f.properties.code !== grids.features[0].properties.code).properties;
  await page.evaluate(() => { for (const k of ['teamGrid', 'added']) delete document.body.dataset[k]; });
  await page.fill('#search-input', g.code);
  await page.click('#search button');
  await page.waitForFunction((c) => document.body.dataset.teamGrid === c, g.code, { timeout: 30e3 });
  await page.click(`.click-pop .grid-pop[data-code="${g.code}"] button.add-member`);
  await page.waitForSelector('#appoint-form:not([hidden])');
  assert.equal(await page.inputValue('#appoint-role'), 'grid_staff', 'a staffed grid defaults to grid staff');
  // A bad phone is refused by the server and shown; nothing is written.
  const before = (await api(`/api/v1/people?area=${g.code}`)).people.length;
  await page.fill('#appoint-name', '测试志愿者');
  await page.fill('#appoint-phone', 'call me');
  await page.selectOption('#appoint-role', 'volunteer');
  await submitRefused(page);
  assert.equal((await api(`/api/v1/people?area=${g.code}`)).people.length, before, 'the refused request wrote nobody');
  await page.fill('#appoint-phone', '13900000003');
  await page.click('#appoint-form button[type=submit]');
  await page.waitForFunction((c) => (document.body.dataset.added || '').startsWith(`${c}:`), g.code, { timeout: 30e3 });
  const [, id, role] = (await page.evaluate(() => document.body.dataset.added)).split(':');
  assert.equal(role, 'volunteer');
  const p = await api(`/api/v1/people/${id}`);
  assert.deepEqual(p.assignments, [{ role: 'volunteer', area_code: g.code }]);
  assert.equal(p.phone, '13900000003');
  const li = await page.textContent(`.click-pop .grid-pop[data-code="${g.code}"] .team li[data-id="${id}"]`);
  assert.ok(li.includes('测试志愿者') && li.includes('13900000003') && /志愿者|volunteer/.test(li), `the team lists the new volunteer: "${li}"`);
  assert.equal(await page.isHidden('#appoint-form'), true, 'the form closes');
  t.diagnostic(`${g.code}: ${li}`);
  // … and leaves the grid again from the team list: the post is gone.
  page.once('dialog', (d) => { assert.match(d.message(), /测试志愿者/); d.accept(); });
  await page.click(`.click-pop .team li[data-id="${id}"] button.drop-member`);
  await page.waitForFunction((v) => document.body.dataset.dropped === v, `${g.code}:${id}`, { timeout: 30e3 });
  assert.equal(await page.$(`.click-pop .team li[data-id="${id}"]`), null, 'the team no longer lists them');
  assert.deepEqual((await api(`/api/v1/people/${id}`)).assignments, [], 'their post on the grid is gone');
  noStrayRequests();
});

test('the grids without a leader are listed with who acts for them, and open on the map', { timeout: 120e3 }, async (t) => {
  if (skip) return t.skip('no chromium');
  const { page } = dash;
  const vac = (await api('/api/v1/stats/summary')).vacant_grids;
  assert.ok(vac.length > 0, 'the demo district has vacant grids');
  const listed = grids.features.filter((f) => f.properties.vacant).map((f) => f.properties.code).sort();
  assert.deepEqual(vac.map((g) => g.code), listed, 'the summary lists the grids the areas endpoint marks vacant');
  await page.waitForFunction((n) => document.body.dataset.vacant === String(n), vac.length);
  assert.equal(await page.textContent('#vacant-count'), String(vac.length));
  const items = await page.$$eval('#vacant-list li[data-code]', (lis) => lis.map((li) => ({ code: li.dataset.code, text: li.textContent })));
  assert.deepEqual(items.map((i) => i.code), vac.map((g) => g.code));
  for (const [i, g] of vac.entries()) {
    assert.ok(items[i].text.includes(g.name), `${g.code}: name ${g.name} in "${items[i].text}"`);
    if (g.fallback) assert.ok(items[i].text.includes(g.fallback.name), `${g.code}: acting ${g.fallback.name} in "${items[i].text}"`);
    else assert.match(items[i].text, /无人代理|nobody acting/);
  }
  t.diagnostic(`${vac.length} vacant grids, ${vac.filter((g) => g.fallback).length} with someone acting`);
  const g = vac[Math.min(2, vac.length - 1)];
  await page.click(`#vacant-list li[data-code="${g.code}"]`);
  await page.waitForSelector(`.click-pop .grid-pop[data-code="${g.code}"]`, { timeout: 30e3 });
  assert.match(await page.textContent('.click-pop .leader'), /空缺|vacant/);
  await page.waitForFunction(() => !window.__map.isMoving());
  await page.screenshot({ path: join(screenshotDir, 'vacant.png') });
  noStrayRequests();
});

test('the command center appoints a leader to a vacant grid from the list', { timeout: 120e3 }, async (t) => {
  if (skip) return t.skip('no chromium');
  const { page } = dash;
  const vac = (await api('/api/v1/stats/summary')).vacant_grids;
  const g = vac[0];
  await page.waitForFunction((n) => document.body.dataset.vacant === String(n), vac.length);
  await page.click(`#vacant-list button.appoint[data-code="${g.code}"]`);
  await page.waitForSelector('#appoint-form:not([hidden])');
  // A bad phone: the server's 400 is shown, and nothing is written.
  await page.fill('#appoint-name', '测试网格长');
  await page.fill('#appoint-phone', 'call me');
  await submitRefused(page);
  await page.screenshot({ path: join(screenshotDir, 'appoint.png') });
  assert.deepEqual((await api(`/api/v1/people?role=grid_leader&area=${g.code}`)).people, [], 'a refused appointment wrote nothing');
  await page.fill('#appoint-phone', '139 0000 0001');
  await page.click('#appoint-form button[type=submit]');
  await page.waitForFunction((c) => (document.body.dataset.appointed || '').startsWith(`${c}:`), g.code);
  await page.waitForFunction((n) => document.body.dataset.vacant === String(n), vac.length - 1, { timeout: 30e3 });
  assert.equal(await page.$(`#vacant-list li[data-code="${g.code}"]`), null, 'the grid left the list');
  assert.ok(await page.isHidden('#appoint-form'));
  const area = await api(`/api/v1/areas/${g.code}`);
  assert.equal(area.properties.vacant, false);
  assert.equal(area.properties.leader?.name, '测试网格长');
  assert.equal(area.properties.leader?.phone, '139 0000 0001');
  // The map's popup names the new leader.
  await page.fill('#search-input', g.code);
  await page.click('#search button');
  await page.waitForSelector(`.click-pop .grid-pop[data-code="${g.code}"]`, { timeout: 30e3 });
  await page.waitForFunction(() => document.querySelector('.click-pop .leader')?.textContent.includes('测试网格长'));
  t.diagnostic(`${g.code} (${g.name}) now led by ${area.properties.leader.name}; ${vac.length - 1} vacant grids left`);
  noStrayRequests();
});

test('the command center relieves a leader from the grid popup, and the grid is vacant again', { timeout: 120e3 }, async (t) => {
  if (skip) return t.skip('no chromium');
  const { page } = dash;
  const before = await api('/api/v1/stats/summary');
  const g = before.vacant_grids[0];
  const p = await api('/api/v1/people', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: '待免网格长', phone: '13900000002', assignments: [{ role: 'grid_leader', area_code: g.code }, { role: 'grid_staff', area_code: g.code }] }),
  });
  // The router has the appointment once the areas endpoint names the leader.
  for (let i = 0; i < 40 && (await api(`/api/v1/areas/${g.code}`)).properties.vacant; i++) await new Promise((r) => { setTimeout(r, 100); });
  await page.fill('#search-input', g.code);
  await page.click('#search button');
  await page.waitForSelector(`.click-pop .grid-pop[data-code="${g.code}"] button.relieve[data-id="${p.id}"]`, { timeout: 30e3 });
  page.once('dialog', (d) => { assert.match(d.message(), /待免网格长/); d.accept(); });
  await page.click(`.click-pop button.relieve[data-id="${p.id}"]`);
  await page.waitForFunction((c) => (document.body.dataset.relieved || '').startsWith(`${c}:`), g.code);
  await page.waitForFunction(() => /空缺|vacant/.test(document.querySelector('.click-pop .leader')?.textContent || ''), null, { timeout: 30e3 });
  await page.waitForSelector(`#vacant-list li[data-code="${g.code}"]`, { timeout: 30e3 });
  const after = await api(`/api/v1/people/${p.id}`);
  assert.deepEqual(after.assignments, [{ role: 'grid_staff', area_code: g.code }], 'only the leadership was taken away');
  assert.equal((await api(`/api/v1/areas/${g.code}`)).properties.vacant, true);
  t.diagnostic(`${g.code}: ${p.name} relieved, still grid staff`);
  noStrayRequests();
});

test('a planner redraws a boundary: a shared vertex moved, one inserted on a shared edge and one deleted change both grids, households are previewed, one revision is published', { timeout: 120e3 }, async (t) => {
  if (skip) return t.skip('no chromium');
  const { page } = dash;
  // A vertex that exactly two grids of one community share, inside the
  // community (not one of its own vertices).
  const now = await api('/api/v1/areas?level=grid');
  const comms = await api('/api/v1/areas?level=community');
  const rings = (g) => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates).flat();
  const commVerts = new Map(comms.features.map((c) => [c.properties.code, new Set(rings(c.geometry).flat().map((q) => `${q[0]},${q[1]}`))]));
  const holders = new Map();
  for (const f of now.features) {
    for (const q of new Set(rings(f.geometry).flat().map((x) => `${x[0]},${x[1]}`))) {
      if (!holders.has(q)) holders.set(q, []);
      holders.get(q).push(f);
    }
  }
  // … and an edge of the same two grids, away from that vertex, whose
  // midpoint is dragged to insert a vertex into both.
  const inner = (q, fs) => fs.length === 2 && fs[0].properties.parent_code === fs[1].properties.parent_code && !commVerts.get(fs[0].properties.parent_code)?.has(q);
  const pair = (q) => holders.get(q).map((f) => f.properties.code).sort().join();
  let pick = null;
  for (const [q, fs] of holders) {
    if (pick || !inner(q, fs)) continue;
    const ring = rings(fs[0].geometry).find((r) => r.some((x) => `${x[0]},${x[1]}` === q));
    for (let i = 0; i + 1 < ring.length && !pick; i++) {
      const a = `${ring[i][0]},${ring[i][1]}`; const b = `${ring[i + 1][0]},${ring[i + 1][1]}`;
      if (a === q || b === q || !inner(a, holders.get(a)) || !inner(b, holders.get(b)) || pair(a) !== pair(q) || pair(b) !== pair(q)) continue;
      const mid = [(ring[i][0] + ring[i + 1][0]) / 2, (ring[i][1] + ring[i + 1][1]) / 2];
      pick = { q, g: fs[0].properties.code, n: fs[1].properties.code, mid: `${mid[0]},${mid[1]}`, a };
    }
  }
  assert.ok(pick, 'the demo has interior edges shared by two grids');
  const base = (await api('/api/v1/revisions')).revisions[0].id;
  await page.fill('#search-input', pick.g);
  await page.click('#search button');
  await page.click(`.click-pop .grid-pop[data-code="${pick.g}"] button.edit-boundary`, { timeout: 30e3 });
  await page.waitForFunction((c) => document.body.dataset.editing === c, pick.g);
  const drag = async (sel, dx, dy) => {
    const el = page.locator(sel);
    assert.equal(await el.getAttribute('data-shared'), 'true', `${sel} is marked shared`);
    const box = await el.boundingBox();
    const x = box.x + box.width / 2; const y = box.y + box.height / 2;
    const seq = Number(await page.evaluate(() => document.body.dataset.editPreview || 0));
    await page.mouse.move(x, y);
    await page.mouse.down();
    for (let i = 1; i <= 6; i++) await page.mouse.move(x + (dx * i) / 6, y + (dy * i) / 6);
    await page.mouse.up();
    await page.waitForFunction((s) => Number(document.body.dataset.editPreview || 0) > s || document.body.dataset.editError, seq, { timeout: 30e3 });
  };
  await drag(`.vertex:not(.mid)[data-pos="${pick.q}"]`, 12, 6);
  await drag(`.vertex.mid[data-pos="${pick.mid}"]`, -6, 10);
  // A double click deletes a shared vertex from both grids.
  const seq = Number(await page.evaluate(() => document.body.dataset.editPreview || 0));
  await page.dblclick(`.vertex:not(.mid)[data-pos="${pick.a}"]`);
  await page.waitForFunction((n) => Number(document.body.dataset.editPreview || 0) > n || document.body.dataset.editError, seq, { timeout: 30e3 });
  assert.equal(await page.locator('.click-pop').count(), 0, 'clicking a vertex opens no grid popup');
  const err = await page.evaluate(() => document.querySelector('#edit-card .edit-error')?.textContent);
  assert.equal(await page.evaluate(() => document.body.dataset.editError), undefined, `the dry run was refused: ${err}`);
  const rows = await page.$$eval('#edit-card table.edit-grids tr[data-code]', (trs) => trs.map((tr) => tr.dataset.code).sort());
  assert.deepEqual(rows, [pick.g, pick.n].sort(), 'both grids are redrawn and previewed');
  assert.equal(await page.evaluate(() => document.querySelector('#edit-publish').disabled), false);
  assert.equal((await api('/api/v1/revisions')).revisions[0].id, base, 'the dry run wrote nothing');
  await page.screenshot({ path: join(screenshotDir, 'planner.png') });

  await page.click('#edit-publish');
  await page.waitForFunction(() => document.body.dataset.published, null, { timeout: 30e3 });
  const published = Number(await page.evaluate(() => document.body.dataset.published));
  assert.equal(published, base + 1);
  assert.equal((await api('/api/v1/revisions')).revisions[0].id, published);
  const verts = async (code) => new Set(rings((await api(`/api/v1/areas/${code}`)).geometry).flat().map((q) => `${q[0]},${q[1]}`));
  const [vg, vn] = [await verts(pick.g), await verts(pick.n)];
  assert.ok(!vg.has(pick.q) && !vn.has(pick.q), 'the old vertex is gone from both grids');
  assert.ok(!vg.has(pick.a) && !vn.has(pick.a), 'the deleted vertex is gone from both grids');
  const moved = [...vg].filter((q) => !holders.has(q));
  assert.equal(moved.length, 2, 'the moved vertex and the inserted one');
  assert.ok(moved.every((q) => vn.has(q)), 'the neighbour moved with them');
  assert.equal(await page.evaluate(() => document.body.dataset.editing), undefined);
  t.diagnostic(`${pick.g} | ${pick.n}: vertex ${pick.q} moved, one inserted at the edge midpoint ${pick.mid}: ${moved.join(' ')}; ${pick.a} deleted; revision ${published}`);
  noStrayRequests();
});

test('a planner splits a grid in two (undone once and done again), publishes, then merges the new grid back', { timeout: 180e3 }, async (t) => {
  if (skip) return t.skip('no chromium');
  const { page } = dash;
  const key = (q) => `${q[0]},${q[1]}`;
  const mid = (a, b) => [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
  const inside = (ring, p) => {
    let c = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      if ((ring[i][1] > p[1]) !== (ring[j][1] > p[1]) && p[0] < ((ring[j][0] - ring[i][0]) * (p[1] - ring[i][1])) / (ring[j][1] - ring[i][1]) + ring[i][0]) c = !c;
    }
    return c;
  };
  // A grid of one ring whose chord between the midpoints of edge 0 and of
  // the edge half the ring further on stays inside it.
  const now = await api('/api/v1/areas?level=grid');
  let pick = null;
  for (const f of now.features) {
    const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    if (pick || polys.length !== 1 || polys[0].length !== 1) continue;
    const open = polys[0][0].slice(0, -1);
    if (open.length < 4) continue;
    const j = Math.floor(open.length / 2);
    const m1 = mid(open[0], open[1]); const m2 = mid(open[j], open[(j + 1) % open.length]);
    const chordInside = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9].every((u) => inside(open, [m1[0] + u * (m2[0] - m1[0]), m1[1] + u * (m2[1] - m1[1])]));
    if (chordInside && f.properties.households > 0) pick = { g: f.properties.code, parent: f.properties.parent_code, households: f.properties.households, m1: key(m1), m2: key(m2) };
  }
  assert.ok(pick, 'the demo has a grid that a straight cut splits');
  const siblings = await api(`/api/v1/areas?level=grid&parent=${pick.parent}`);
  const top = Math.max(...siblings.features.map((f) => Number(f.properties.code.slice(pick.parent.length))));
  const newCode = pick.parent + String(top + 1).padStart(3, '0');
  const previewAfter = async (fn) => {
    const seq = Number(await page.evaluate(() => document.body.dataset.editPreview || 0));
    await fn();
    await page.waitForFunction((n) => Number(document.body.dataset.editPreview || 0) > n || document.body.dataset.editError, seq, { timeout: 30e3 });
    const err = await page.evaluate(() => document.querySelector('#edit-card .edit-error')?.textContent);
    assert.equal(await page.evaluate(() => document.body.dataset.editError), undefined, `refused: ${err}`);
  };
  const rows = () => page.$$eval('#edit-card table.edit-grids tr[data-code]', (trs) => trs.map((tr) => tr.dataset.code).sort());
  const households = () => page.$$eval('#edit-card table.edit-grids tr[data-code]', (trs) => Object.fromEntries(trs.map((tr) => [tr.dataset.code, Number(tr.querySelector('b').textContent)])));
  const openEdit = async (code) => {
    await page.fill('#search-input', code);
    await page.click('#search button');
    await page.click(`.click-pop .grid-pop[data-code="${code}"] button.edit-boundary`, { timeout: 30e3 });
    await page.waitForFunction((c) => document.body.dataset.editing === c, code);
  };
  const split = async () => {
    await page.click('#edit-split');
    await page.click(`.vertex.mid[data-pos="${pick.m1}"]`);
    assert.match(await page.textContent('#edit-card .hint.mode'), /第二个点|second point/);
    await previewAfter(() => page.click(`.vertex.mid[data-pos="${pick.m2}"]`));
    // The grid, the new one, and any neighbour on a cut edge (the cut
    // point becomes its vertex too, so the two keep sharing the edge).
    const r = await rows();
    assert.ok(r.includes(pick.g) && r.includes(newCode), `the grid and the new one are previewed: ${r}`);
    for (const c of r.filter((c) => c !== pick.g && c !== newCode)) {
      assert.equal((await households())[c], now.features.find((f) => f.properties.code === c)?.properties.households, `neighbour ${c} keeps its households`);
    }
  };

  await openEdit(pick.g);
  await split();
  // Undo puts the grid back as it was: nothing left to preview.
  await previewAfter(() => page.click('#edit-undo'));
  assert.deepEqual(await rows(), [], 'nothing changed after the undo');
  assert.equal(await page.evaluate(() => document.querySelector('#edit-undo').disabled), true);
  await split();
  const hh = await households();
  assert.equal(hh[pick.g] + hh[newCode], pick.households, 'the two parts hold the grid\'s households');
  // The new grid is named in its row of the preview.
  await previewAfter(async () => {
    await page.fill(`#edit-card input.grid-name[data-code="${newCode}"]`, '青和新区网格');
    await page.press(`#edit-card input.grid-name[data-code="${newCode}"]`, 'Enter');
  });
  await page.screenshot({ path: join(screenshotDir, 'planner-split.png') });
  const base = (await api('/api/v1/revisions')).revisions[0].id;
  await page.click('#edit-publish');
  await page.waitForFunction((b) => Number(document.body.dataset.published) > b, base, { timeout: 30e3 });
  const made = await api(`/api/v1/areas/${newCode}`);
  const kept = await api(`/api/v1/areas/${pick.g}`);
  assert.equal(made.properties.parent_code, pick.parent, 'the new grid is in the same community');
  assert.equal(made.properties.name, '青和新区网格', 'the new grid has the name typed in the preview');
  assert.equal(made.properties.households + kept.properties.households, pick.households);
  assert.ok(made.properties.households > 0 && kept.properties.households > 0, 'both parts hold buildings');

  // Merge the new grid back: it is removed and the grid holds all again.
  await openEdit(pick.g);
  await page.click('#edit-merge');
  await previewAfter(() => page.click(`#edit-card button.merge-with[data-code="${newCode}"]`));
  assert.deepEqual(await rows(), [pick.g]);
  assert.equal((await households())[pick.g], pick.households, 'the merged grid holds all its households again');
  assert.match(await page.textContent('#edit-card'), new RegExp(newCode), 'the card names the grid to remove');
  const base2 = (await api('/api/v1/revisions')).revisions[0].id;
  await page.click('#edit-publish');
  await page.waitForFunction((b) => Number(document.body.dataset.published) > b, base2, { timeout: 30e3 });
  const gone = await fetch(`${srv.url}/api/v1/areas/${newCode}`, { headers: srv.token ? { Authorization: `Bearer ${srv.token}` } : {} });
  assert.equal(gone.status, 404, 'the merged grid is removed');
  assert.equal((await api(`/api/v1/areas/${pick.g}`)).properties.households, pick.households);
  t.diagnostic(`${pick.g} split at ${pick.m1} – ${pick.m2} into it and ${newCode} (${made.properties.households} + ${kept.properties.households} households), revision ${base + 1}; merged back in revision ${base2 + 1}`);
  noStrayRequests();
});

test('drill-down, side panel, language and the heatmap screenshot', { timeout: 120e3 }, async (t) => {
  if (skip) return t.skip('no chromium');
  const { page } = dash;
  // Back to the district through the breadcrumb, then click a street.
  if (await page.$('#breadcrumb a[data-i="0"]')) await page.click('#breadcrumb a[data-i="0"]');
  await page.waitForFunction(() => document.body.dataset.crumb === 'district');
  await page.waitForFunction(() => !window.__map.isMoving());
  const streets = await api('/api/v1/areas?level=street');
  const rows = await page.$$eval('#area-table tbody tr', (xs) => xs.map((x) => x.dataset.code));
  assert.equal(rows.length, streets.features.length, 'one row per street');
  // Sorting by households puts the largest first.
  await page.click('#area-table th[data-key="households"]');
  const hh = await page.$$eval('#area-table tbody tr td:last-child', (xs) => xs.map((x) => Number(x.textContent)));
  assert.deepEqual(hh, [...hh].sort((a, b) => b - a));
  // Click on the map inside the first street: the map drills into it.
  const s = streets.features[0];
  const px = await page.evaluate((code) => {
    const m = window.__map;
    const c = m.getCanvas();
    for (let y = 5; y < c.clientHeight; y += 10) {
      for (let x = 5; x < c.clientWidth; x += 10) {
        const f = m.queryRenderedFeatures([x, y], { layers: ['street-fill'] })[0];
        const b = c.getBoundingClientRect();
        // Only a pixel where the map itself (not the filter card or legend) takes the click.
        if (f && f.properties.code === code && document.elementFromPoint(b.x + x, b.y + y) === c) return [b.x + x, b.y + y];
      }
    }
    return null;
  }, s.properties.code);
  assert.ok(px, 'street on screen');
  await page.mouse.click(px[0], px[1]);
  await page.waitForFunction((code) => document.body.dataset.crumb === 'district>street'
    && document.querySelector('#breadcrumb .here')?.textContent.length > 0, s.properties.code);

  // English.
  await page.click('#lang');
  await page.waitForFunction(() => document.body.dataset.lang === 'en');
  assert.match(await page.textContent('#legend'), /Households per grid/);
  await page.click('#lang');

  // GCJ-02 display offset: the drawn grids move by the offset, and back.
  const firstVertex = () => page.evaluate(() => {
    const g = window.__map.getSource('grids').serialize().data;
    if (!g || typeof g !== 'object' || !g.features?.length) return null;
    const c = g.features[0].geometry.coordinates;
    return g.features[0].geometry.type === 'MultiPolygon' ? c[0][0][0] : c[0][0];
  });
  const before = await firstVertex();
  if (before) {
    let sq = await renderSeq(page);
    await page.check('#gcj02');
    await waitIdle(page, sq);
    const moved = await firstVertex();
    const d = [moved[0] - before[0], moved[1] - before[1]];
    t.diagnostic(`GCJ-02 offset at the first vertex: ${d.map((x) => (x * 1e5).toFixed(0))} ×1e-5°`);
    assert.ok(Math.abs(d[0]) > 1e-3 && Math.abs(d[0]) < 1e-2 && Math.abs(d[1]) > 1e-4 && Math.abs(d[1]) < 1e-2, `offset ${d}`);
    sq = await renderSeq(page);
    await page.uncheck('#gcj02');
    await waitIdle(page, sq);
    assert.deepEqual(await firstVertex(), before);
  }

  // Heatmap screenshot: 30 days over the whole district.
  await page.click('#breadcrumb a[data-i="0"]');
  let seq = await renderSeq(page);
  await page.click('#ranges button[data-range="30d"]');
  await waitIdle(page, seq);
  await page.waitForFunction(() => !window.__map.isMoving());
  // The heatmap alone over the grid outlines (the household colours switched off), then back.
  seq = await renderSeq(page);
  await page.uncheck('#layers input[data-layer="grids-fill"]');
  await waitIdle(page, seq);
  await page.screenshot({ path: join(screenshotDir, 'heatmap.png') });
  seq = await renderSeq(page);
  await page.check('#layers input[data-layer="grids-fill"]');
  await waitIdle(page, seq);
  noStrayRequests();
});
