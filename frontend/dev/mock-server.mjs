// dev/mock-server.mjs: a stand-in for `wangge serve` for working on the
// dashboard without the Go server. It serves dist/ (injecting
// window.WANGGE_CONFIG) and the API shapes the page uses, over a synthetic
// district of rectangular grids. Not used by the tests, which run the real
// server. Usage: node dev/mock-server.mjs [port]   (prints "listening on …")
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, join, extname } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const port = Number(process.argv[2] || 8089);
// --mvt: tell the page to use vector tiles (encoded here with MapLibre's own
// geojson-vt and vt-pbf, transitive dependencies of maplibre-gl).
const mvt = process.argv.includes('--mvt');
const TOKEN = 'dev-token';

let seed = 42;
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const rect = (x0, y0, x1, y1) => ({ type: 'MultiPolygon', coordinates: [[[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]] });
const cats = [
  ['population_change', '人口变化', 'Population change', 72], ['floating_population', '流动人口', 'Floating population', 72],
  ['facility_damage', '公共设施损坏', 'Public-facility damage', 48], ['fire_equipment', '消防设施缺失', 'Missing fire-safety equipment', 24],
  ['neighbour_dispute', '邻里纠纷', 'Neighbour dispute', 72], ['safety_hazard', '安全隐患', 'Safety hazard', 24],
  ['resident_request', '居民诉求', 'Resident request', 120], ['other', '其他', 'Other', 168],
].map(([code, name, name_en, deadline_hours]) => ({ code, name, name_en, deadline_hours }));

const X0 = 120.40, Y0 = 36.14, SW = 0.032, CW = 0.016, GW = 0.004;
const streets = [], communities = [], grids = [];
const streetNames = ['李村', '沧口', '振华路'];
for (let s = 0; s < 3; s++) {
  const sc = `370213${String(s + 1).padStart(3, '0')}`;
  const sx = X0 + s * SW;
  streets.push({ type: 'Feature', geometry: rect(sx, Y0, sx + SW, Y0 + 2 * CW), properties: { code: sc, name: `${streetNames[s]}街道`, level: 'street', parent_code: '370213' } });
  for (let c = 0; c < 4; c++) {
    const cc = `${sc}${String(c + 1).padStart(3, '0')}`;
    const cx = sx + (c % 2) * CW, cy = Y0 + Math.floor(c / 2) * CW;
    const cname = `${streetNames[s]}${c + 1}社区`;
    communities.push({ type: 'Feature', geometry: rect(cx, cy, cx + CW, cy + CW), properties: { code: cc, name: cname, level: 'community', parent_code: sc } });
    for (let g = 0; g < 16; g++) {
      const gx = cx + (g % 4) * GW, gy = cy + Math.floor(g / 4) * GW;
      const vacant = rnd() < 0.1;
      grids.push({
        type: 'Feature', geometry: rect(gx, gy, gx + GW, gy + GW),
        properties: {
          code: `${cc}${String(g + 1).padStart(3, '0')}`, name: `${cname}第${g + 1}网格`, level: 'grid', parent_code: cc,
          households: Math.round(150 + rnd() * 650), revision: 1,
          leader: vacant ? null : { id: grids.length + 100, name: `网格长${grids.length + 1}`, phone: `1380000${String(grids.length).padStart(4, '0')}` },
          vacant, fallback: vacant ? { role: 'deputy_leader', id: 9, name: '副网格长王', phone: '13900000000' } : null,
          community: { code: cc, name: cname }, street: { code: sc, name: `${streetNames[s]}街道` }, open_cases: 0, overdue_cases: 0,
        },
      });
    }
  }
}
const district = { type: 'Feature', geometry: rect(X0, Y0, X0 + 3 * SW, Y0 + 2 * CW), properties: { code: '370213', name: '李沧区', level: 'district', parent_code: '' } };

const now = Date.now();
const reports = [];
for (let i = 0; i < 3000; i++) {
  const hot = rnd() < 0.5;
  const lon = hot ? 120.44 + (rnd() - 0.5) * 0.02 : X0 + rnd() * 3 * SW;
  const lat = hot ? 36.16 + (rnd() - 0.5) * 0.015 : Y0 + rnd() * 2 * CW;
  const cat = cats[Math.floor(rnd() * cats.length)];
  const created = now - rnd() * 30 * 86400e3;
  const due = created + cat.deadline_hours * 3600e3;
  const closed = rnd() < 0.6;
  reports.push({ id: i + 1, category: cat.code, status: closed ? 'closed' : 'dispatched', lon, lat, created_at: new Date(created).toISOString(), due_at: new Date(due).toISOString(), overdue: !closed && due < now, grid_code: gridAt(lon, lat), description: `示例案件 ${i + 1}` });
}
function gridAt(lon, lat) {
  const g = grids.find((f) => { const r = f.geometry.coordinates[0][0]; return lon >= r[0][0] && lon < r[2][0] && lat >= r[0][1] && lat < r[2][1]; });
  return g?.properties.code || '';
}
const feature = (r) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [r.lon, r.lat] }, properties: { ...r, lon: undefined, lat: undefined } });
for (const r of reports) {
  if (r.status === 'closed') continue;
  const g = grids.find((f) => f.properties.code === r.grid_code);
  if (g) { g.properties.open_cases++; if (r.overdue) g.properties.overdue_cases++; }
}

function filtered(q) {
  const from = q.get('from') ? Date.parse(q.get('from')) : -Infinity;
  const to = q.get('to') ? Date.parse(q.get('to')) : Infinity;
  const cs = q.get('category') ? new Set(q.get('category').split(',')) : null;
  const bb = q.get('bbox') ? q.get('bbox').split(',').map(Number) : null;
  return reports.filter((r) => {
    const t = Date.parse(r.created_at);
    return t >= from && t < to && (!cs || cs.has(r.category)) && (!bb || (r.lon >= bb[0] && r.lat >= bb[1] && r.lon <= bb[2] && r.lat <= bb[3]))
      && (q.get('overdue') !== 'true' || r.overdue);
  });
}

const clients = new Set();
let tileIndex = null;
const json = (res, code, v) => { res.writeHead(code, { 'content-type': 'application/json' }); res.end(JSON.stringify(v)); };

createServer(async (req, res) => {
  const u = new URL(req.url, 'http://x');
  const p = u.pathname, q = u.searchParams;
  if (p.startsWith('/api/')) {
    const tok = (req.headers.authorization || '').replace(/^Bearer /, '') || q.get('access_token');
    if (tok !== TOKEN) return json(res, 401, { error: { code: 'unauthorized', message: 'token required' } });
  }
  if (p === '/api/v1/areas') {
    const l = q.get('level');
    const fs = { district: [district], street: streets, community: communities, grid: grids }[l];
    return fs ? json(res, 200, { type: 'FeatureCollection', features: fs }) : json(res, 400, { error: { code: 'bad_request', message: 'level' } });
  }
  const am = p.match(/^\/api\/v1\/areas\/(\d+)$/);
  if (am) {
    const f = [district, ...streets, ...communities, ...grids].find((x) => x.properties.code === am[1]);
    return f ? json(res, 200, f) : json(res, 404, { error: { code: 'not_found', message: 'no such area' } });
  }
  const tm = p.match(/^\/tiles\/grids\/(\d+)\/(\d+)\/(\d+)\.mvt$/);
  if (tm) {
    if (!tileIndex) {
      const { GeoJSONVT } = await import('@maplibre/geojson-vt');
      const flat = grids.map((f) => ({ ...f, properties: { code: f.properties.code, name: f.properties.name, level: 'grid', households: f.properties.households, parent_code: f.properties.parent_code } }));
      tileIndex = new GeoJSONVT({ type: 'FeatureCollection', features: flat }, { maxZoom: 16, indexMaxZoom: 5 });
    }
    const tile = tileIndex.getTile(Number(tm[1]), Number(tm[2]), Number(tm[3]));
    if (!tile) { res.writeHead(204); return res.end(); }
    const { fromGeojsonVt } = await import('@maplibre/vt-pbf');
    res.writeHead(200, { 'content-type': 'application/vnd.mapbox-vector-tile' });
    return res.end(Buffer.from(fromGeojsonVt({ grids: tile }, { version: 2 })));
  }
  if (p === '/api/v1/categories') return json(res, 200, { categories: cats });
  if (p === '/api/v1/stats/heatmap') {
    const cells = new Map();
    for (const r of filtered(q)) {
      const k = `${Math.floor(r.lon / 0.001)},${Math.floor(r.lat / 0.001)}`;
      cells.set(k, (cells.get(k) || 0) + 1);
    }
    return json(res, 200, { cell_deg: 0.001, cells: [...cells].map(([k, n]) => { const [x, y] = k.split(',').map(Number); return [(x + 0.5) * 0.001, (y + 0.5) * 0.001, n]; }) });
  }
  if (p === '/api/v1/reports' && req.method === 'GET') {
    const rs = filtered(q).slice(0, Number(q.get('limit') || 100));
    return json(res, 200, { type: 'FeatureCollection', features: rs.map(feature) });
  }
  if (p === '/api/v1/reports' && req.method === 'POST') {
    let b = '';
    for await (const c of req) b += c;
    const v = JSON.parse(b);
    const r = { id: reports.length + 1, category: v.category, status: 'reported', lon: v.lon, lat: v.lat, created_at: new Date().toISOString(), due_at: new Date(Date.now() + 86400e3).toISOString(), overdue: false, grid_code: gridAt(v.lon, v.lat), description: v.description };
    reports.push(r);
    for (const c of clients) c.write(`event: report\ndata: ${JSON.stringify(r)}\n\n`);
    return json(res, 201, { report: r, created: true });
  }
  const m = p.match(/^\/api\/v1\/reports\/(\d+)$/);
  if (m) {
    const r = reports[Number(m[1]) - 1];
    if (!r) return json(res, 404, { error: { code: 'not_found', message: 'no such report' } });
    return json(res, 200, { report: feature(r), events: [{ kind: 'created', from: '', to: 'reported', actor_id: 0, at: r.created_at, reason: '' }, { kind: 'dispatched', from: 'reported', to: 'dispatched', actor_id: 7, at: r.created_at, reason: '派遣至城管' }] });
  }
  if (p === '/api/v1/stats/summary') {
    const rs = filtered(q);
    const closed = rs.filter((r) => r.status === 'closed');
    return json(res, 200, { new_today: reports.filter((r) => Date.parse(r.created_at) > now - 86400e3).length, open: reports.filter((r) => r.status !== 'closed').length, overdue: reports.filter((r) => r.overdue).length, closed_on_time_rate: closed.length ? 0.83 : null });
  }
  if (p === '/api/v1/stats/areas') {
    const fs = q.get('level') === 'community' ? communities : streets;
    const rs = filtered(q);
    return json(res, 200, {
      areas: fs.map((f) => {
        const code = f.properties.code;
        const mine = rs.filter((r) => r.grid_code.startsWith(code));
        const closed = mine.filter((r) => r.status === 'closed').length;
        const r0 = f.geometry.coordinates[0][0];
        return { code, name: f.properties.name, level: f.properties.level, reports: mine.length, open: mine.length - closed, overdue: mine.filter((r) => r.overdue).length, closed, closed_on_time: Math.round(closed * 0.8), on_time_rate: closed ? 0.8 : null, median_close_hours: 20.5, households: grids.filter((g) => g.properties.code.startsWith(code)).reduce((s, g) => s + g.properties.households, 0), bbox: [r0[0][0], r0[0][1], r0[2][0], r0[2][1]] };
      }),
    });
  }
  if (p === '/api/v1/stream') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(': hello\n\n');
    clients.add(res);
    req.on('close', () => clients.delete(res));
    return undefined;
  }
  const name = p === '/' ? 'index.html' : p.slice(1);
  try {
    let b = await readFile(join(dist, name));
    const type = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' }[extname(name)] || 'application/octet-stream';
    if (name === 'index.html') b = b.toString().replace('<!--WANGGE_CONFIG-->', `<script>window.WANGGE_CONFIG = ${JSON.stringify({ apiBase: '', token: TOKEN, basemap: '', lang: 'zh', attribution: '© OpenStreetMap contributors', gridSource: mvt ? 'mvt' : 'geojson' })}</script>`);
    res.writeHead(200, { 'content-type': type });
    res.end(b);
  } catch {
    json(res, 404, { error: { code: 'not_found', message: p } });
  }
}).listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`));
