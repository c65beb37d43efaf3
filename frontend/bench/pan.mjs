// bench/pan.mjs: how smoothly the dashboard pans, in headless Chromium with
// software WebGL, against the real server with the demo district (100,000
// reports). At two zooms — the whole district (grids and heatmap) and a
// street at case zoom (grids, heatmap and individual case points), and the
// whole district once more with the heatmap layer hidden — it pans
// the map by 40 px twenty times (200 ms animations, one after another) and
// records the interval between animation frames while doing so.
//
// Usage: node bench/pan.mjs            (or WANGGE_URL/WANGGE_TOKEN for a running server)
import { startServer, launch, openDashboard, waitIdle } from '../test/harness.mjs';

const srv = process.env.WANGGE_URL
  ? { url: process.env.WANGGE_URL.replace(/\/$/, ''), token: process.env.WANGGE_TOKEN || '', stop: async () => {} }
  : await startServer();
const chrome = await launch();
try {
  const { page, blocked } = await openDashboard(chrome.browser, srv.url);
  await waitIdle(page, 0, 120e3);
  const pan = (label) => page.evaluate(async (label) => {
    const m = window.__map;
    const frames = [];
    let last = performance.now();
    let running = true;
    const tick = (t) => { frames.push(t - last); last = t; if (running) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) {
      const done = new Promise((ok) => m.once('moveend', ok));
      m.panBy([i % 10 < 5 ? 40 : -40, 0], { duration: 200 });
      await done;
    }
    running = false;
    const total = performance.now() - t0;
    const s = frames.slice(1).sort((a, b) => a - b);
    const q = (f) => s[Math.min(s.length - 1, Math.floor(f * s.length))];
    return { label, zoom: m.getZoom().toFixed(1), cases: document.body.dataset.casesShown, frames: s.length, total: Math.round(total),
      fps: (s.length / (total / 1000)).toFixed(1), median: q(0.5).toFixed(1), p95: q(0.95).toFixed(1), max: s[s.length - 1].toFixed(1) };
  }, label);
  const rows = [await pan('whole district')];
  // The same without the heatmap layer: what the heatmap costs.
  await page.evaluate(() => window.__map.setLayoutProperty('heat', 'visibility', 'none'));
  rows.push(await pan('no heatmap'));
  await page.evaluate(() => window.__map.setLayoutProperty('heat', 'visibility', 'visible'));
  // A street at case zoom: the centre of the map, zoomed in past the case threshold.
  const seq = Number(await page.evaluate(() => document.body.dataset.renderSeq));
  await page.evaluate(() => window.__map.jumpTo({ zoom: 15 }));
  await waitIdle(page, seq, 120e3);
  rows.push(await pan('case zoom'));
  if (blocked.length) throw new Error(`page tried to reach other hosts: ${blocked}`);
  console.log('viewport 1600x900, chromium swiftshader; 20 pans of 40 px, 200 ms each');
  for (const r of rows) {
    console.log(`${r.label.padEnd(15)} zoom ${r.zoom}  cases drawn ${String(r.cases ?? '-').padStart(4)}  ${r.frames} frames in ${r.total} ms (${r.fps} fps)  frame interval median ${r.median} ms  p95 ${r.p95} ms  max ${r.max} ms`);
  }
} finally {
  await chrome.close();
  await srv.stop();
}
