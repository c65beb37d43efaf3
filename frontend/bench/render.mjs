// bench/render.mjs: time to first full render of the dashboard (grids and
// heatmap loaded and drawn, the page's mapIdle flag) in headless Chromium with
// software WebGL, against the real server (or WANGGE_URL/WANGGE_TOKEN).
// The time is the page's own performance.now() when the flag is first set,
// i.e. milliseconds since navigation start. Each run uses a fresh browser
// context (no HTTP cache).
//
// Usage: node bench/render.mjs [runs=5]
import { startServer, launch, openDashboard, waitIdle } from '../test/harness.mjs';

const runs = Number(process.argv[2] || 5);
const srv = process.env.WANGGE_URL
  ? { url: process.env.WANGGE_URL.replace(/\/$/, ''), token: process.env.WANGGE_TOKEN || '', stop: async () => {} }
  : await startServer();
const chrome = await launch();
try {
  const times = [];
  let last = {};
  for (let i = 0; i < runs; i++) {
    const { page, context, blocked } = await openDashboard(chrome.browser, srv.url);
    last = await waitIdle(page, 0, 120e3);
    if (blocked.length) throw new Error(`page tried to reach other hosts: ${blocked}`);
    times.push(Number(last.firstRenderMs));
    await context.close();
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(`grids rendered: ${last.gridsRendered}, heatmap cells: ${last.heatCells}, viewport 1600x900, chromium swiftshader`);
  console.log(`first full render (ms since navigation): ${times.join(' ')}`);
  console.log(`median ${median} ms, min ${sorted[0]} ms, max ${sorted[sorted.length - 1]} ms over ${runs} runs`);
} finally {
  await chrome.close();
  await srv.stop();
}
