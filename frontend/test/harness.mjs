// test/harness.mjs: shared pieces of the browser tests and the benchmark:
// build and start the real wangge server, launch headless Chromium through
// playwright-core, open the dashboard with every request that is not to the
// server blocked and recorded.
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, access } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

export const frontendDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = resolve(frontendDir, '..');
export const screenshotDir = join(repoDir, 'docs', 'screenshots');
export const CHROMIUM = process.env.WANGGE_CHROMIUM || '/usr/bin/chromium';

const run = promisify(execFile);

/** freePort asks the kernel for a free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
  });
}

/**
 * startServer builds ./cmd/wangge into a temp dir and starts
 * `wangge serve --db <tmp>/t.db --addr 127.0.0.1:<port> --token-file <tmp>/token`.
 * It resolves when the server prints "listening on http://…" and returns
 * {url, token, tmp, stop()}. WANGGE_BIN skips the build; extra adds flags;
 * demo runs `wangge demo --db <tmp>/t.db ...demo` before serving.
 */
export async function startServer({ extra = [], demo = null, timeoutMs = 120e3 } = {}) {
  const tmp = await mkdtemp(join(tmpdir(), 'wangge-fe-'));
  let bin = process.env.WANGGE_BIN;
  if (!bin) {
    bin = join(tmp, 'wangge');
    await run('go', ['build', '-o', bin, './cmd/wangge'], { cwd: repoDir, maxBuffer: 1 << 24 });
  }
  if (demo) {
    // Load a demo data set first (e.g. ['--grids', '6000'] for a synthetic city) with `wangge demo`.
    await run(bin, ['demo', '--db', join(tmp, 't.db'), ...demo], { cwd: tmp, maxBuffer: 1 << 24 });
  }
  const port = await freePort();
  const tokenFile = join(tmp, 'token');
  const args = ['serve', '--db', join(tmp, 't.db'), '--addr', `127.0.0.1:${port}`, '--token-file', tokenFile, ...extra];
  const proc = spawn(bin, args, { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not print "listening on" in ${timeoutMs} ms:\n${log}`)), timeoutMs);
    const onData = (b) => {
      log += b.toString();
      const m = log.match(/listening on (http:\/\/[^\s"]+)/);
      if (m) { clearTimeout(timer); ok(m[1].replace(/\/$/, '')); }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => { clearTimeout(timer); fail(new Error(`server exited with ${code}:\n${log}`)); });
  });
  let token = '';
  try { token = (await readFile(tokenFile, 'utf8')).trim(); } catch { /* the server may run without a token */ }
  return {
    url, token, tmp, log: () => log,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((ok) => { const h = setTimeout(() => { proc.kill('SIGKILL'); ok(); }, 5000); proc.once('exit', () => { clearTimeout(h); ok(); }); });
      }
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

/** haveChromium reports whether the Chromium binary exists. */
export async function haveChromium() {
  try { await access(CHROMIUM); return true; } catch { return false; }
}

/**
 * launch starts headless Chromium with software WebGL. playwright-core gives
 * every launch a fresh temporary profile (it refuses --user-data-dir here).
 */
export async function launch() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-component-update',
      '--no-first-run',
    ],
  });
  return {
    browser,
    async close() { await browser.close(); },
  };
}

/**
 * openDashboard opens url in a new page of browser. Every request whose origin
 * is not the server's is aborted and recorded in `blocked`; console errors
 * and page errors are recorded in `errors`.
 */
export async function openDashboard(browser, url, { viewport = { width: 1600, height: 900 }, path = '/' } = {}) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, serviceWorkers: 'block' });
  const page = await context.newPage();
  const origin = new URL(url).origin;
  const blocked = [];
  const errors = [];
  await page.route('**', (route) => {
    const u = route.request().url();
    if (u.startsWith(origin) || u.startsWith('blob:') || u.startsWith('data:')) return route.continue();
    blocked.push(u);
    return route.abort('blockedbyclient');
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url + path);
  return { page, context, blocked, errors };
}

/** waitIdle waits until the page has rendered grids and heatmap after render sequence `after`. */
export async function waitIdle(page, after = 0, timeout = 60e3) {
  await page.waitForFunction((seq) => document.body.dataset.mapIdle === '1' && Number(document.body.dataset.renderSeq || 0) > seq, after, { timeout });
  return page.evaluate(() => ({ ...document.body.dataset }));
}

/** renderSeq returns the page's current render sequence number. */
export function renderSeq(page) {
  return page.evaluate(() => Number(document.body.dataset.renderSeq || 0));
}

/**
 * gridPixel returns page coordinates of a pixel where the grid with this
 * code is the feature drawn on top (scanning outwards from the centre of the
 * map), or null.
 */
export function gridPixel(page, code) {
  return page.evaluate((code) => {
    const m = window.__map;
    const c = m.getCanvas();
    const w = c.clientWidth, h = c.clientHeight;
    const b = c.getBoundingClientRect();
    for (let r = 0; r < 40; r++) {
      for (let a = 0; a < 16; a++) {
        const x = w / 2 + Math.cos(a * Math.PI / 8) * r * 6, y = h / 2 + Math.sin(a * Math.PI / 8) * r * 6;
        const f = m.queryRenderedFeatures([x, y], { layers: ['grids-fill'] })[0];
        if (f && f.properties.code === code && document.elementFromPoint(b.x + x, b.y + y) === c) return [b.x + x, b.y + y];
      }
    }
    return null;
  }, code);
}
