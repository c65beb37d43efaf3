// app.js: the wangge command-center dashboard.
//
// One MapLibre map with no external basemap (a plain background; all layers
// are ours), fed only by the wangge server: grid partitions coloured by
// household band, street/community outlines with drill-down, an incident
// heatmap with time and category filters, case points at close zoom, live
// reports over SSE, and a side panel of figures. For tests the page exposes
// window.__map and sets document.body.dataset.mapIdle = "1" (plus counts)
// whenever grids and heatmap have been loaded and rendered.
import * as maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import './style.css';
import { config, get, send, absURL, authHeaders, streamURL } from './api.js';
import { t, setLang, getLang, applyStatic } from './i18n.js';
import { wgs84ToGcj02, mapCoords } from './gcj02.js';
import {
  esc, bboxOf, labelPoint, normGrid, band, BAND_COLORS, fmtTime, debounce, reportPoint, reportProps,
} from './util.js';

const DAY = 86400e3;
const LABEL_MINZOOM = 15;
const CASES_MINZOOM = 14.5;
const EMPTY = { type: 'FeatureCollection', features: [] };
/** FIT_PADDING keeps fitted areas clear of the filter card (top) and the legend (bottom left), in CSS pixels. */
const FIT_PADDING = { top: 150, bottom: 30, left: 40, right: 60 };
const body = document.body;

const state = {
  gcj: false,
  range: '7d',
  from: null,
  to: null,
  days: 7,
  day: null, // null: the whole range; else the index of the day shown
  categories: [],
  selected: new Set(),
  grids: EMPTY,
  streets: EMPTY,
  communities: EMPTY,
  districts: EMPTY,
  gridIndex: new Map(), // code → {p, bbox, center}
  areaIndex: new Map(), // code → {level, code, name, parent, bbox}
  extent: null, // [minLon, minLat, maxLon, maxLat] of the data
  crumb: [], // [{level, code, name}]
  heat: { cells: [], cell_deg: 0.001 },
  summary: null,
  areas: { street: [], community: [] },
  tableLevel: 'street',
  sort: { key: 'reports', dir: -1 },
  overdue: [],
  live: [],
  pending: 0,
  renderSeq: 0,
  firstRender: false,
};

setLang(localStorage.getItem('wangge.lang') || config.lang);
applyStatic();

// ---- map -----------------------------------------------------------------

maplibregl.setWorkerUrl(new URL('maplibre-gl-worker.js', import.meta.url).href);

const apiOrigin = new URL(absURL('/')).origin;
const isXYZ = /\{z\}/.test(config.basemap || '');
const style = config.basemap && !isXYZ
  ? config.basemap
  : {
    version: 8,
    sources: isXYZ ? { basemap: { type: 'raster', tiles: [config.basemap], tileSize: 256 } } : {},
    layers: [
      { id: 'bg', type: 'background', paint: { 'background-color': '#0d1624' } },
      ...(isXYZ ? [{ id: 'basemap', type: 'raster', source: 'basemap', paint: { 'raster-opacity': 0.6 } }] : []),
    ],
  };

const map = new maplibregl.Map({
  container: 'map',
  style,
  center: [120.43, 36.17],
  zoom: 11,
  attributionControl: false,
  fadeDuration: 0,
  transformRequest: (url) => (url.startsWith(apiOrigin) ? { url, headers: authHeaders() } : { url }),
});
window.__map = map;
map.addControl(new maplibregl.AttributionControl({ compact: false, customAttribution: config.attribution }), 'bottom-right');
map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');

/** P maps a WGS-84 position to the displayed CRS (GCJ-02 when the switch is on). */
const P = (lon, lat) => (state.gcj ? wgs84ToGcj02(lon, lat) : [lon, lat]);
const disp = (fc) => (state.gcj ? mapCoords(fc, P) : fc);
const dispBox = (b) => { const a = P(b[0], b[1]); const c = P(b[2], b[3]); return [a[0], a[1], c[0], c[1]]; };
/** unP inverts P approximately (the GCJ offset varies slowly: one fixed-point step is metres-accurate). */
const unP = (lon, lat) => { if (!state.gcj) return [lon, lat]; const g = wgs84ToGcj02(lon, lat); return [2 * lon - g[0], 2 * lat - g[1]]; };

const bandColor = ['step', ['to-number', ['get', 'households'], 0], BAND_COLORS.low, 300, BAND_COLORS.mid, 601, BAND_COLORS.high];

function addLayers() {
  const mvt = config.gridSource === 'mvt';
  map.addSource('grids', mvt
    ? { type: 'vector', tiles: [`${absURL('/tiles/grids/')}{z}/{x}/{y}.mvt`], minzoom: 8, maxzoom: 16, promoteId: { grids: 'code' } }
    : { type: 'geojson', data: EMPTY, promoteId: 'code' });
  const src = mvt ? { source: 'grids', 'source-layer': 'grids' } : { source: 'grids' };
  map.addSource('communities', { type: 'geojson', data: EMPTY, promoteId: 'code' });
  map.addSource('streets', { type: 'geojson', data: EMPTY, promoteId: 'code' });
  map.addSource('heat', { type: 'geojson', data: EMPTY });
  map.addSource('cases', { type: 'geojson', data: EMPTY, cluster: true, clusterMaxZoom: 16, clusterRadius: 36 });
  map.addSource('edit', { type: 'geojson', data: EMPTY });

  map.addLayer({ id: 'grids-fill', type: 'fill', ...src, paint: { 'fill-color': bandColor, 'fill-opacity': ['case', ['boolean', ['feature-state', 'hover'], false], 0.8, 0.5] } });
  map.addLayer({
    id: 'heat', type: 'heatmap', source: 'heat', maxzoom: 18,
    paint: {
      'heatmap-weight': ['interpolate', ['linear'], ['get', 'count'], 0, 0, 10, 1],
      'heatmap-intensity': ['interpolate', ['linear'], ['zoom'], 10, 0.8, 16, 2],
      'heatmap-radius': ['interpolate', ['exponential', 2], ['zoom'], 10, 6, 13, 18, 16, 70],
      'heatmap-opacity': ['interpolate', ['linear'], ['zoom'], 14, 0.85, 17, 0.35],
      'heatmap-color': ['interpolate', ['linear'], ['heatmap-density'],
        0, 'rgba(0,0,0,0)', 0.15, 'rgba(255,237,160,0.55)', 0.4, 'rgba(254,178,76,0.8)', 0.7, 'rgba(240,59,32,0.9)', 1, 'rgba(189,0,38,0.95)'],
    },
  });
  map.addLayer({ id: 'grids-line', type: 'line', ...src, minzoom: 12, paint: { 'line-color': '#dfe8f5', 'line-opacity': 0.45, 'line-width': ['interpolate', ['linear'], ['zoom'], 12, 0.3, 17, 1.2] } });
  map.addLayer({ id: 'community-line', type: 'line', source: 'communities', minzoom: 11, paint: { 'line-color': '#9fd3ff', 'line-width': ['interpolate', ['linear'], ['zoom'], 11, 0.6, 16, 2.2], 'line-dasharray': [3, 2] } });
  map.addLayer({ id: 'street-line', type: 'line', source: 'streets', paint: { 'line-color': '#ffd166', 'line-width': ['interpolate', ['linear'], ['zoom'], 9, 1, 16, 3.5] } });
  map.addLayer({ id: 'street-fill', type: 'fill', source: 'streets', paint: { 'fill-color': '#000', 'fill-opacity': 0 } });
  map.addLayer({ id: 'community-fill', type: 'fill', source: 'communities', paint: { 'fill-color': '#000', 'fill-opacity': 0 } });
  map.addLayer({ id: 'grids-hover', type: 'line', ...src, paint: { 'line-color': '#ffffff', 'line-width': 2.5, 'line-opacity': ['case', ['boolean', ['feature-state', 'hover'], false], 1, 0] } });
  map.addLayer({ id: 'selected-street', type: 'line', source: 'streets', filter: ['==', ['get', 'code'], ''], paint: { 'line-color': '#ffd166', 'line-width': 5, 'line-blur': 2 } });
  map.addLayer({ id: 'selected-community', type: 'line', source: 'communities', filter: ['==', ['get', 'code'], ''], paint: { 'line-color': '#9fd3ff', 'line-width': 4, 'line-blur': 1.5 } });
  map.addLayer({ id: 'edit-fill', type: 'fill', source: 'edit', paint: { 'fill-color': '#ffd166', 'fill-opacity': ['case', ['get', 'mine'], 0.15, 0.06] } });
  map.addLayer({ id: 'edit-line', type: 'line', source: 'edit', paint: { 'line-color': '#ffd166', 'line-width': ['case', ['get', 'mine'], 3, 1.5] } });
  map.addLayer({
    id: 'cases-cluster', type: 'circle', source: 'cases', minzoom: CASES_MINZOOM, filter: ['has', 'point_count'],
    paint: {
      'circle-color': 'rgba(255,140,0,0.85)', 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5,
      'circle-radius': ['interpolate', ['linear'], ['get', 'point_count'], 2, 10, 20, 18, 100, 26],
    },
  });
  map.addLayer({
    id: 'cases-point', type: 'circle', source: 'cases', minzoom: CASES_MINZOOM, filter: ['!', ['has', 'point_count']],
    paint: {
      'circle-radius': 6, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5,
      'circle-color': ['case', ['to-boolean', ['get', 'overdue']], '#ff3b30',
        ['match', ['get', 'status'], ['closed', 'rejected'], '#8a94a6', '#ffb020']],
    },
  });
}

// ---- render flag for tests -------------------------------------------------

function busy() { state.pending++; body.dataset.mapIdle = '0'; }
function done() {
  state.pending = Math.max(0, state.pending - 1);
  if (state.pending === 0) {
    map.once('idle', settle);
    map.triggerRepaint();
  }
}
function settle() {
  if (state.pending > 0) return;
  const codes = new Set();
  for (const f of map.queryRenderedFeatures({ layers: ['grids-fill'] })) codes.add(f.properties.code);
  body.dataset.gridsRendered = String(codes.size);
  body.dataset.heatCells = String(state.heat.cells.length);
  body.dataset.heatTotal = String(state.heat.cells.reduce((s, c) => s + (c[2] || 0), 0));
  body.dataset.heatDay = state.heat.day == null ? 'all' : String(state.heat.day);
  body.dataset.casesShown = String(map.getZoom() >= CASES_MINZOOM ? map.querySourceFeatures('cases').length : 0);
  body.dataset.renderSeq = String(++state.renderSeq);
  if (!state.firstRender) {
    state.firstRender = true;
    body.dataset.firstRenderMs = String(Math.round(performance.now()));
  }
  if (config.gridSource === 'mvt') renderLegend();
  body.dataset.mapIdle = '1';
}
/** track wraps a load so that the idle flag waits for it. */
async function track(fn) {
  busy();
  try { return await fn(); } catch (e) { console.error(e); showError(e); return undefined; } finally { done(); }
}

function showError(e) {
  const el = document.getElementById('error') || Object.assign(document.createElement('div'), { id: 'error' });
  el.textContent = `${e.status ? `HTTP ${e.status} ` : ''}${e.message || e}`;
  document.getElementById('map-wrap').append(el);
  clearTimeout(showError.h);
  showError.h = setTimeout(() => el.remove(), 8000);
}

// ---- areas -----------------------------------------------------------------

function indexAreas() {
  state.gridIndex.clear();
  state.areaIndex.clear();
  for (const [fc, level] of [[state.districts, 'district'], [state.streets, 'street'], [state.communities, 'community']]) {
    for (const f of fc.features) {
      const p = f.properties || {};
      state.areaIndex.set(p.code, { level, code: p.code, name: p.name, parent: p.parent_code, bbox: bboxOf(f) });
    }
  }
  for (const f of state.grids.features) {
    const p = normGrid(f.properties || {});
    f.properties = { ...f.properties, households: p.households };
    state.gridIndex.set(p.code, { p, bbox: bboxOf(f), center: labelPoint(f.geometry) });
  }
  state.extent = bboxOf(state.grids.features.length ? state.grids : state.streets.features.length ? state.streets : state.districts);
  const dl = document.getElementById('search-list');
  const opts = [];
  for (const a of state.areaIndex.values()) if (a.level !== 'district') opts.push(`<option value="${esc(a.name)}">${esc(a.code)}</option>`);
  for (const [code, g] of state.gridIndex) opts.push(`<option value="${esc(code)}">${esc(g.p.name)}</option>`);
  dl.innerHTML = opts.join('');
}

function pushAreaData() {
  map.getSource('streets').setData(disp(state.streets));
  map.getSource('communities').setData(disp(state.communities));
  if (config.gridSource !== 'mvt') map.getSource('grids').setData(disp(state.grids));
}

async function loadAreas({ fit = true } = {}) {
  await track(async () => {
    const levels = config.gridSource === 'mvt' ? ['district', 'street', 'community'] : ['district', 'street', 'community', 'grid'];
    const res = await Promise.all(levels.map((l) => get('/api/v1/areas', { level: l }).catch((e) => { if (l === 'district') return EMPTY; throw e; })));
    [state.districts, state.streets, state.communities] = res;
    state.grids = res[3] || EMPTY;
    indexAreas();
    pushAreaData();
    renderLegend();
    renderCrumb();
    if (fit && state.extent) map.fitBounds(dispBox(state.extent), { padding: FIT_PADDING, duration: 0 });
  });
}

function renderLegend() {
  const counts = { low: 0, mid: 0, high: 0 };
  let scope = '';
  const b = state.summary?.grid_bands;
  if (config.gridSource === 'mvt' && b) {
    // The page holds only the tiles on screen: the counts of the whole
    // partition come with the summary.
    counts.low = b.under; counts.mid = b.normal; counts.high = b.over;
  } else if (config.gridSource === 'mvt') {
    const seen = new Set();
    for (const f of map.querySourceFeatures('grids', { sourceLayer: 'grids' })) {
      if (seen.has(f.properties.code)) continue;
      seen.add(f.properties.code);
      counts[band(Number(f.properties.households) || 0)]++;
    }
    scope = ' *';
  } else {
    for (const g of state.gridIndex.values()) counts[band(g.p.households)]++;
  }
  const total = counts.low + counts.mid + counts.high;
  const row = (k, label) => `<div class="band" data-band="${k}"><i style="background:${BAND_COLORS[k]}"></i><span>${t(label)}</span><b data-count="${k}">${counts[k]}</b></div>`;
  document.getElementById('legend').innerHTML = `<h3>${t('legendTitle')} <small>${total} ${t('gridsShown')}${scope}</small></h3>`
    + row('low', 'bandLow') + row('mid', 'bandMid') + row('high', 'bandHigh')
    + `<h3>${t('heat')}</h3><div class="heatbar"></div>`
    + `<div class="band"><i class="dot" style="background:#ffb020"></i><span>${t('open')}</span></div>`
    + `<div class="band"><i class="dot" style="background:#ff3b30"></i><span>${t('overdue')}</span></div>`
    + `<div class="band"><i class="dot" style="background:#8a94a6"></i><span>${t('closed')}</span></div>`;
  body.dataset.bandLow = String(counts.low);
  body.dataset.bandMid = String(counts.mid);
  body.dataset.bandHigh = String(counts.high);
}

// ---- drill-down and breadcrumb ----------------------------------------------

function areaName(code) { return state.areaIndex.get(code)?.name || state.gridIndex.get(code)?.p.name || code; }

function crumbFor(level, code) {
  const chain = [];
  let a = level === 'grid' ? null : state.areaIndex.get(code);
  if (level === 'grid') {
    const g = state.gridIndex.get(code);
    chain.unshift({ level: 'grid', code, name: g?.p.name || code });
    a = state.areaIndex.get(g?.p.parent_code || g?.p.community?.code);
  }
  while (a && a.level !== 'district') { chain.unshift({ level: a.level, code: a.code, name: a.name }); a = state.areaIndex.get(a.parent); }
  return chain;
}

function renderCrumb() {
  const nav = document.getElementById('breadcrumb');
  const root = state.districts.features[0]?.properties?.name || t('district');
  const items = [{ level: 'district', code: '', name: root }, ...state.crumb];
  nav.innerHTML = items.map((c, i) => (i === items.length - 1
    ? `<span class="here" data-level="${c.level}">${esc(c.name)}</span>`
    : `<a href="#" data-i="${i}" data-level="${c.level}">${esc(c.name)}</a><span class="sep">›</span>`)).join('');
  map.setFilter('selected-street', ['==', ['get', 'code'], state.crumb.find((c) => c.level === 'street')?.code || '']);
  map.setFilter('selected-community', ['==', ['get', 'code'], state.crumb.find((c) => c.level === 'community')?.code || '']);
  body.dataset.crumb = items.map((c) => c.level).join('>');
}

document.getElementById('breadcrumb').addEventListener('click', (e) => {
  const a = e.target.closest('a[data-i]');
  if (!a) return;
  e.preventDefault();
  const i = Number(a.dataset.i);
  state.crumb = state.crumb.slice(0, i);
  renderCrumb();
  const last = state.crumb[state.crumb.length - 1];
  const bb = last ? state.areaIndex.get(last.code)?.bbox : state.extent;
  if (bb) map.fitBounds(dispBox(bb), { padding: FIT_PADDING });
});

/** drillTo flies to an area (street, community or grid) and makes it the breadcrumb's last item. */
function drillTo(level, code, bboxHint) {
  const bb = level === 'grid' ? state.gridIndex.get(code)?.bbox || bboxHint : state.areaIndex.get(code)?.bbox || bboxHint;
  state.crumb = crumbFor(level, code);
  if (!state.crumb.length) state.crumb = [{ level, code, name: areaName(code) }];
  renderCrumb();
  // A grid is opened with its popup above its centre: it is fitted low
  // enough that the popup (with the team list) clears the filter panel.
  if (bb) map.fitBounds(dispBox(bb), { padding: level === 'grid' ? { ...FIT_PADDING, top: 360, left: 160, right: 160 } : FIT_PADDING, maxZoom: 16.8 });
}

/** worthDrilling says whether fitting a WGS-84 bbox would zoom in by more than half a level. */
function worthDrilling(bb) {
  if (!bb) return false;
  const cam = map.cameraForBounds(dispBox(bb), { padding: 40 });
  return !!cam && cam.zoom > map.getZoom() + 0.5;
}

// ---- popups ----------------------------------------------------------------

function gridHTML(p, actions = false) {
  const g = normGrid(p);
  const person = (x) => `${esc(x.name)}${x.phone ? ` <a href="tel:${esc(x.phone)}">${esc(x.phone)}</a>` : ''}`;
  const known = 'leader' in p || 'vacant' in p || 'leader_name' in p; // vector tiles carry no people
  // In the clicked popup, the command center's token may relieve the leader.
  const relieve = actions && config.token && g.leader?.id && !g.vacant
    ? ` <button type="button" class="relieve" data-id="${esc(g.leader.id)}" data-code="${esc(g.code)}" data-name="${esc(g.leader.name)}">${t('relieve')}</button>` : '';
  const leader = !known ? '…' : g.leader && !g.vacant
    ? person(g.leader) + relieve
    : `<span class="vacant">${t('vacant')}</span>${g.fallback ? ` · ${t('fallback')}: ${person(g.fallback)}` : ''}`;
  // … and redraw its boundary (command center and planners).
  const edit = actions && config.token && config.gridSource !== 'mvt'
    ? `<button type="button" class="edit-boundary" data-code="${esc(g.code)}">${t('editBoundary')}</button>` : '';
  // … and add a member to the grid's team (the appointment form, another post).
  const add = actions && config.token
    ? `<button type="button" class="add-member" data-code="${esc(g.code)}" data-vacant="${g.vacant || !g.leader ? 1 : ''}">${t('addMember')}</button>` : '';
  // The clicked popup lists the grid's team for a signed-in page (GET
  // /api/v1/people?area=: public pages may not list people).
  const team = actions && config.token ? teamHTML(teams.get(g.code), !g.vacant && g.leader?.id) : '';
  return `<div class="grid-pop" data-code="${esc(g.code)}">
    <h4>${esc(g.name)} <small>${esc(g.code)}</small></h4>
    <table>
      <tr><th>${t('community')}</th><td>${esc(g.community?.name)}</td></tr>
      <tr><th>${t('street')}</th><td>${esc(g.street?.name)}</td></tr>
      <tr><th>${t('households')}</th><td><i class="sw" style="background:${BAND_COLORS[band(g.households)]}"></i>${g.households}</td></tr>
      <tr><th>${t('leader')}</th><td class="leader">${leader}</td></tr>
      <tr><th>${t('openCases')}</th><td>${g.open_cases}</td></tr>
      <tr><th>${t('overdueCases')}</th><td class="${g.overdue_cases ? 'bad' : ''}">${g.overdue_cases}</td></tr>${team}
    </table>${edit}${add}</div>`;
}

// The order a grid's team is listed in: leader, deputy, staff, officers, volunteers.
const TEAM_ROLES = ['grid_leader', 'deputy_leader', 'grid_staff', 'info_officer', 'volunteer'];
const TEAM_SHOWN = 8;

/**
 * teamHTML is the popup's team row: each person once, under the first of
 * their posts on the grid in TEAM_ROLES order, with a phone link — but the
 * leader shown in the row above (leaderId); '…' while the list is loading;
 * no row when it could not be read (the token's scope). Past TEAM_SHOWN
 * people, the rest are counted.
 */
function teamHTML(tm, leaderId) {
  if (tm?.failed) return '';
  let cell = '…';
  if (tm) {
    const rows = tm.people.filter((p) => p.id !== leaderId).map((p) => {
      const ranks = (p.assignments || []).filter((a) => a.area_code === tm.code).map((a) => TEAM_ROLES.indexOf(a.role)).filter((r) => r >= 0);
      return { p, rank: ranks.length ? Math.min(...ranks) : TEAM_ROLES.length };
    }).sort((a, b) => a.rank - b.rank || a.p.id - b.p.id);
    const li = rows.slice(0, TEAM_SHOWN).map(({ p, rank }) => `<li data-id="${esc(p.id)}"><span class="role">${esc(t(TEAM_ROLES[rank] || 'otherRole'))}</span> ${esc(p.name)}${p.phone ? ` <a href="tel:${esc(p.phone)}">${esc(p.phone)}</a>` : ''}`
      + ` <button type="button" class="drop-member" data-id="${esc(p.id)}" data-code="${esc(tm.code)}" data-name="${esc(p.name)}" title="${esc(t('dropMember'))}">×</button></li>`);
    if (rows.length > TEAM_SHOWN) li.push(`<li class="more">${t('teamMore').replace('{n}', rows.length - TEAM_SHOWN)}</li>`);
    cell = li.length ? `<ul>${li.join('')}</ul>` : t('teamNone');
  }
  return `<tr class="team"><th>${t('team')}</th><td>${cell}</td></tr>`;
}

/**
 * teams: each clicked grid's people (GET /api/v1/people?area=), by code;
 * loadTeam reads them, or marks the grid failed (the token's scope).
 */
const teams = new Map();
async function loadTeam(code) {
  let tm;
  try {
    tm = { code, people: (await get('/api/v1/people', { area: code }))?.people || [] };
  } catch (e) {
    console.warn('grid team', e);
    tm = { code, failed: true };
  }
  if (teams.size > 200) teams.clear();
  teams.set(code, tm);
}

/** refreshTeam reads a grid's team again and redraws its popup if it is open (props: its details). */
async function refreshTeam(code, props) {
  await loadTeam(code);
  if (clickPopup.isOpen() && body.dataset.popupGrid === code) {
    clickPopup.setHTML(gridHTML({ ...(state.gridIndex.get(code)?.p || {}), ...(props ?? details.get(code)?.props ?? {}) }, true));
  }
}

/** keepPosts puts back the posts of person id that keep accepts (PUT /api/v1/people/{id}/assignments). */
async function keepPosts(id, keep) {
  const p = await get(`/api/v1/people/${encodeURIComponent(id)}`);
  await send('PUT', `/api/v1/people/${encodeURIComponent(id)}/assignments`, { assignments: (p.assignments || []).filter(keep) });
}

const hoverPopup = new maplibregl.Popup({ closeButton: false, closeOnClick: false, className: 'hover-pop', maxWidth: '320px', offset: 12 });
const clickPopup = new maplibregl.Popup({ closeButton: true, closeOnClick: false, className: 'click-pop', maxWidth: '340px' });
let hovered = null;

function setHover(code) {
  if (hovered === code) return;
  if (hovered !== null) map.setFeatureState(featureRef(hovered), { hover: false });
  hovered = code;
  if (code !== null) map.setFeatureState(featureRef(code), { hover: true });
}
function featureRef(id) { return config.gridSource === 'mvt' ? { source: 'grids', sourceLayer: 'grids', id } : { source: 'grids', id }; }

/**
 * gridDetails returns a grid's properties from GET /api/v1/areas/{code}
 * (current leader and case counts; vector tiles carry neither), reusing an
 * answer younger than maxAge ms.
 */
const details = new Map();
async function gridDetails(code, maxAge) {
  const c = details.get(code);
  if (c && Date.now() - c.at < maxAge) return c.props;
  const f = await get(`/api/v1/areas/${encodeURIComponent(code)}`);
  const props = f?.properties || f;
  if (props?.code !== code) return null;
  if (details.size > 500) details.clear();
  details.set(code, { at: Date.now(), props });
  return props;
}

/**
 * showGrid opens the grid's popup from the properties at hand, then refreshes
 * it with the grid's current details.
 */
async function showGrid(p, lngLat) {
  hoverPopup.remove();
  teams.delete(p.code);
  clickPopup.setLngLat(lngLat).setHTML(gridHTML(p, true)).addTo(map);
  body.dataset.popupGrid = p.code;
  let fresh = null;
  const redraw = () => {
    if (clickPopup.isOpen() && body.dataset.popupGrid === p.code) clickPopup.setHTML(gridHTML({ ...p, ...fresh }, true));
  };
  await Promise.all([
    gridDetails(p.code, 0).then((f) => { fresh = f; redraw(); }, (e) => console.warn('grid details', e)),
    config.token && loadTeam(p.code).then(() => {
      redraw();
      if (body.dataset.popupGrid === p.code) body.dataset.teamGrid = p.code;
    }),
  ]);
}

/**
 * hoverGrid shows the hover popup; in vector-tile mode, once the pointer has
 * rested on a grid for 200 ms, it fills in the leader from the grid's
 * details (cached for a minute).
 */
let hoverTimer = 0;
function hoverGrid(p, lngLat) {
  if (clickPopup.isOpen()) return;
  const cached = details.get(p.code);
  const props = cached ? { ...p, ...cached.props } : p;
  hoverPopup.setLngLat(lngLat).setHTML(gridHTML(props)).addTo(map);
  if (config.gridSource !== 'mvt' || cached && Date.now() - cached.at < 60e3) return;
  clearTimeout(hoverTimer);
  hoverTimer = setTimeout(async () => {
    try {
      const fresh = await gridDetails(p.code, 60e3);
      if (fresh && hovered === p.code && hoverPopup.isOpen() && !clickPopup.isOpen()) hoverPopup.setHTML(gridHTML({ ...p, ...fresh }));
    } catch (e) { console.warn('grid details', e); }
  }, 200);
}

// ---- heatmap, cases and filters ----------------------------------------------

function setRange(r) {
  state.range = r;
  const now = Date.now();
  if (r !== 'custom') {
    const span = r === '24h' ? DAY : r === '30d' ? 30 * DAY : 7 * DAY;
    state.to = new Date(now);
    state.from = new Date(now - span);
  } else {
    const f = new Date(document.getElementById('from-input').value);
    const to = new Date(document.getElementById('to-input').value);
    if (Number.isNaN(f.getTime()) || Number.isNaN(to.getTime()) || to <= f) return;
    state.from = f;
    state.to = to;
  }
  state.days = Math.max(1, Math.ceil((state.to - state.from) / DAY));
  state.day = null;
  const slider = document.getElementById('day-slider');
  slider.max = String(state.days);
  slider.value = String(state.days);
  slider.disabled = state.days <= 1;
  document.getElementById('play').disabled = state.days <= 1;
  for (const b of document.querySelectorAll('#ranges button')) b.classList.toggle('active', b.dataset.range === r);
  document.getElementById('custom-range').hidden = r !== 'custom';
  renderDayLabel();
}

/** window returns the time window the map shows: the whole range or the selected day. */
function viewWindow() {
  if (state.day === null) return { from: state.from, to: state.to };
  const from = new Date(state.from.getTime() + state.day * DAY);
  return { from, to: new Date(Math.min(from.getTime() + DAY, state.to.getTime())) };
}

function renderDayLabel() {
  const w = viewWindow();
  const f = (d) => d.toLocaleDateString(getLang() === 'en' ? 'en-GB' : 'zh-CN', { month: '2-digit', day: '2-digit' });
  document.getElementById('day-label').textContent = state.day === null ? `${t('allDays')} ${f(w.from)}–${f(w.to)}` : f(w.from);
}

function catParam() {
  if (state.selected.size === state.categories.length) return undefined;
  return [...state.selected].sort().join(',');
}

let heatAbort = null;
async function loadHeat() {
  heatAbort?.abort();
  const ctl = new AbortController();
  heatAbort = ctl;
  const { day } = state;
  await track(async () => {
    let res = { cells: [], cell_deg: 0.001 };
    if (state.selected.size > 0) {
      const w = viewWindow();
      try {
        res = await get('/api/v1/stats/heatmap', {
          from: w.from.toISOString(), to: w.to.toISOString(), category: catParam(),
          bbox: state.extent ? state.extent.map((v) => v.toFixed(6)).join(',') : undefined,
        }, ctl.signal);
      } catch (e) { if (e.name === 'AbortError') return; throw e; }
    }
    if (ctl.signal.aborted) return;
    state.heat = { cells: res.cells || [], cell_deg: res.cell_deg || 0.001, day };
    const max = state.heat.cells.reduce((m, c) => Math.max(m, c[2] || 0), 1);
    // Square-root weights: a few very hot cells must not wash out the rest.
    map.setPaintProperty('heat', 'heatmap-weight', ['interpolate', ['linear'], ['sqrt', ['get', 'count']], 0, 0, Math.sqrt(Math.max(2, max)), 1]);
    map.getSource('heat').setData(disp({
      type: 'FeatureCollection',
      features: state.heat.cells.map(([lon, lat, count]) => ({ type: 'Feature', properties: { count }, geometry: { type: 'Point', coordinates: [lon, lat] } })),
    }));
  });
}

let casesAbort = null;
let casesFC = EMPTY;
async function loadCases() {
  if (map.getZoom() < CASES_MINZOOM || state.selected.size === 0) {
    casesFC = EMPTY;
    map.getSource('cases')?.setData(EMPTY);
    return;
  }
  casesAbort?.abort();
  const ctl = new AbortController();
  casesAbort = ctl;
  await track(async () => {
    const b = map.getBounds();
    const sw = unP(b.getWest(), b.getSouth());
    const ne = unP(b.getEast(), b.getNorth());
    const w = viewWindow();
    try {
      casesFC = await get('/api/v1/reports', {
        bbox: [sw[0], sw[1], ne[0], ne[1]].map((v) => v.toFixed(6)).join(','),
        from: w.from.toISOString(), to: w.to.toISOString(), category: catParam(), limit: 1000,
      }, ctl.signal);
    } catch (e) { if (e.name === 'AbortError') return; throw e; }
    if (ctl.signal.aborted) return;
    map.getSource('cases').setData(disp(casesFC));
  });
}

function refreshFilters() {
  renderDayLabel();
  loadHeat();
  loadCases();
}

function renderCategories() {
  const el = document.getElementById('categories');
  el.innerHTML = state.categories.map((c) => `<label class="cat"><input type="checkbox" value="${esc(c.code)}" ${state.selected.has(c.code) ? 'checked' : ''}> ${esc(getLang() === 'en' ? c.name_en || c.name : c.name)}</label>`).join('');
}
function catName(code) {
  const c = state.categories.find((x) => x.code === code);
  return c ? (getLang() === 'en' ? c.name_en || c.name : c.name) : code;
}

document.getElementById('layers').addEventListener('change', (e) => {
  const id = e.target.dataset.layer;
  if (!id || !map.getLayer(id)) return;
  busy();
  map.setLayoutProperty(id, 'visibility', e.target.checked ? 'visible' : 'none');
  done();
  if (id === 'heat') body.dataset.heatVisible = e.target.checked ? '1' : '0';
});

document.getElementById('categories').addEventListener('change', (e) => {
  if (e.target.type !== 'checkbox') return;
  if (e.target.checked) state.selected.add(e.target.value); else state.selected.delete(e.target.value);
  refreshFilters();
});

document.getElementById('ranges').addEventListener('click', (e) => {
  const b = e.target.closest('button[data-range]');
  if (!b) return;
  stopPlay();
  if (b.dataset.range === 'custom') {
    const toLocal = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60e3).toISOString().slice(0, 16);
    document.getElementById('from-input').value = toLocal(state.from);
    document.getElementById('to-input').value = toLocal(state.to);
    document.getElementById('custom-range').hidden = false;
    for (const x of document.querySelectorAll('#ranges button')) x.classList.toggle('active', x === b);
    return;
  }
  setRange(b.dataset.range);
  refreshFilters();
  loadPanel();
});
document.getElementById('apply-custom').addEventListener('click', () => {
  setRange('custom');
  refreshFilters();
  loadPanel();
});

const slider = document.getElementById('day-slider');
slider.addEventListener('input', () => {
  const v = Number(slider.value);
  state.day = v >= state.days ? null : v;
  renderDayLabel();
  debouncedFilters();
});
const debouncedFilters = debounce(refreshFilters, 150);

let playTimer = 0;
function stopPlay() { clearInterval(playTimer); playTimer = 0; document.getElementById('play').textContent = '▶'; }
/** showDay shows one day of the range (null: the whole range). state.day is
 * always the day on screen, so a reload between steps (a live event, a pan)
 * fetches the day the label names. */
function showDay(d) {
  state.day = d;
  slider.value = String(d ?? state.days);
  refreshFilters();
}
document.getElementById('play').addEventListener('click', () => {
  if (playTimer) { stopPlay(); return; }
  document.getElementById('play').textContent = '❚❚';
  showDay(state.day === null || state.day >= state.days - 1 ? 0 : state.day);
  playTimer = setInterval(() => {
    const next = state.day === null || state.day + 1 >= state.days ? null : state.day + 1;
    showDay(next);
    if (next === null) stopPlay();
  }, 1500);
});

// ---- side panel --------------------------------------------------------------

function pct(v) {
  if (v === null || v === undefined || Number.isNaN(Number(v))) return '–';
  const n = Number(v);
  return `${(n <= 1 ? n * 100 : n).toFixed(1)}%`;
}

function renderKPIs() {
  const s = state.summary || {};
  const card = (key, label, val, cls = '') => `<div class="kpi ${cls}" data-kpi="${key}"><b>${val}</b><span>${t(label)}</span></div>`;
  document.getElementById('kpis').innerHTML = card('new_today', 'newToday', s.new_today ?? '–')
    + card('open', 'open', s.open ?? '–')
    + card('overdue', 'overdue', s.overdue ?? '–', s.overdue ? 'bad' : '')
    + card('closed_on_time_rate', 'onTimeRate', pct(s.closed_on_time_rate));
}

function caseItem(f) {
  const p = reportProps(f);
  const late = p.due_at ? Date.now() - new Date(p.due_at).getTime() : null; // ms past the deadline
  const due = late !== null && late > 0 ? Math.max(1, Math.round(late / 3600e3)) : null;
  return `<li data-id="${esc(p.id)}"><span class="cat-name">${esc(catName(p.category))}</span>
    <span class="meta">#${esc(p.id)} · ${esc(p.grid_code || '')}${due !== null && due > 0 ? ` · <b class="bad">+${due}h</b>` : ''}</span>
    <span class="desc">${esc(p.description || '')}</span></li>`;
}

function renderOverdue() {
  document.getElementById('overdue-list').innerHTML = state.overdue.map(caseItem).join('') || `<li class="empty">${t('noData')}</li>`;
  document.getElementById('overdue-count').textContent = String(state.overdue.length);
}

/**
 * renderVacant lists the grids in scope that have no leader (from the
 * summary), each with its community and who answers its cases meanwhile;
 * a click opens the grid on the map.
 */
function renderVacant() {
  const vac = state.summary?.vacant_grids || [];
  document.getElementById('vacant-list').innerHTML = vac.map((g) => {
    const f = g.fallback;
    const acting = f ? `${t('fallback')}: ${esc(f.name)} <small>${esc(t(f.role) || f.role)}</small>` : `<b class="bad">${t('nobodyActing')}</b>`;
    // The command center's token may appoint (the server refuses others).
    const appoint = config.token ? `<button type="button" class="appoint" data-code="${esc(g.code)}">${t('appoint')}</button>` : '';
    return `<li data-code="${esc(g.code)}"><span class="cat-name">${esc(g.name)}</span>
    <span class="meta">${esc(g.code)}</span>
    <span class="desc">${esc(g.community?.name || '')} · ${acting}</span>${appoint}</li>`;
  }).join('') || `<li class="empty">${t('noData')}</li>`;
  const n = state.summary?.vacant_count ?? vac.length; // the list holds the first 200
  document.getElementById('vacant-count').textContent = String(n);
  body.dataset.vacant = String(n);
}

document.getElementById('vacant-list').addEventListener('click', (e) => {
  const b = e.target.closest('button.appoint');
  if (b) {
    showAppoint(b.dataset.code);
    return;
  }
  const li = e.target.closest('li[data-code]');
  if (li) openGrid(li.dataset.code);
});

// ---- appointing a grid leader or another member -------------------------------------
// POST /api/v1/people with one post on the grid: its leader (from the
// vacant list, or the popup of a vacant grid) or a deputy, grid staff,
// information officer or volunteer (from the popup's "add member"). The
// server checks the name, the phone and, for a leader, that the grid is
// still vacant (409 naming the leader otherwise), and every server's
// routing names a new leader or deputy within about a second. After a
// leader the vacant list is read again until the grid has left it; after
// anyone the open popup's team is read again.

const appointForm = document.getElementById('appoint-form');
const appointRole = document.getElementById('appoint-role');

function showAppoint(code, role = 'grid_leader') {
  const g = (state.summary?.vacant_grids || []).find((v) => v.code === code) || state.gridIndex.get(code)?.p;
  appointForm.dataset.code = code;
  appointRole.value = role;
  appointForm.querySelector('.appoint-title').textContent = `${t(role === 'grid_leader' ? 'appointLeader' : 'addMember')}: ${g?.name || ''} ${code}`;
  appointForm.querySelector('.appoint-error').textContent = '';
  appointForm.hidden = false;
  document.getElementById('appoint-name').focus();
}

document.getElementById('appoint-cancel').addEventListener('click', () => { appointForm.hidden = true; });

appointForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const code = appointForm.dataset.code;
  const name = document.getElementById('appoint-name').value.trim();
  const phone = document.getElementById('appoint-phone').value.trim();
  const role = appointRole.value;
  const errEl = appointForm.querySelector('.appoint-error');
  errEl.textContent = '';
  const submit = appointForm.querySelector('button[type=submit]');
  submit.disabled = true;
  try {
    const p = await send('POST', '/api/v1/people', { name, phone, assignments: [{ role, area_code: code }] });
    appointForm.hidden = true;
    appointForm.reset();
    if (clickPopup.isOpen() && body.dataset.popupGrid === code) await refreshTeam(code);
    if (role !== 'grid_leader') {
      body.dataset.added = `${code}:${p.id}:${role}`;
      return;
    }
    body.dataset.appointed = `${code}:${p.id}`;
    // Hover popups merge these details over the grid's own (stale) properties.
    details.set(code, { at: Date.now(), props: { vacant: false, leader: { id: p.id, name: p.name, phone: p.phone }, fallback: null } });
    // The new revision reaches the router within about a second.
    for (let i = 0; i < 20 && (state.summary?.vacant_grids || []).some((v) => v.code === code); i++) {
      await new Promise((r) => { setTimeout(r, 250); });
      state.summary = await fetchSummary();
    }
    renderVacant();
  } catch (err) {
    errEl.textContent = `${err.status ? `HTTP ${err.status}: ` : ''}${err.message || err}`;
    body.dataset.appointError = String(err.status || 0);
  } finally {
    submit.disabled = false;
  }
});

document.getElementById('map').addEventListener('click', (e) => {
  const b = e.target.closest('.click-pop button.add-member');
  if (b) showAppoint(b.dataset.code, b.dataset.vacant ? 'grid_leader' : 'grid_staff');
});

// From the team list: a member leaves the grid — the person's posts without
// those on this grid (PUT /api/v1/people/{id}/assignments; the leader is
// relieved with the leader row's button instead).
document.getElementById('map').addEventListener('click', async (e) => {
  const b = e.target.closest('.click-pop button.drop-member');
  if (!b) return;
  const { id, code, name } = b.dataset;
  if (!window.confirm(`${t('dropMember')}: ${name} (${code})?`)) return;
  b.disabled = true;
  try {
    await keepPosts(id, (a) => a.area_code !== code || a.role === 'grid_leader');
    await refreshTeam(code);
    body.dataset.dropped = `${code}:${id}`;
  } catch (err) {
    b.disabled = false;
    showError(err);
  }
});

// ---- relieving a grid leader ------------------------------------------------------
// From the clicked grid's popup: the person's posts without this grid's
// leadership (PUT /api/v1/people/{id}/assignments); the grid falls back to
// its deputy or community head once the router has the new revision.

document.getElementById('map').addEventListener('click', async (e) => {
  const b = e.target.closest('.click-pop button.relieve');
  if (!b) return;
  const { id, code, name } = b.dataset;
  if (!window.confirm(`${t('relieveConfirm')}: ${name} (${code})?`)) return;
  b.disabled = true;
  try {
    await keepPosts(id, (a) => !(a.role === 'grid_leader' && a.area_code === code));
    body.dataset.relieved = `${code}:${id}`;
    let fresh = null;
    for (let i = 0; i < 20; i++) {
      fresh = await gridDetails(code, 0);
      if (fresh?.vacant) break;
      await new Promise((r) => { setTimeout(r, 250); });
    }
    await refreshTeam(code, fresh);
    state.summary = await fetchSummary();
    renderVacant();
  } catch (err) {
    b.disabled = false;
    showError(err);
  }
});

// ---- redrawing a boundary --------------------------------------------------
// From the clicked grid's popup: the grid's vertices become draggable
// markers; a vertex the grid shares with a neighbouring grid (the same
// coordinates) moves in both, so no gap or overlap opens between them.
// After each move the edit is sent as a dry run (POST /api/v1/revisions)
// and the panel shows each redrawn grid's households and band, the
// buildings that change grid and the open cases that would be rerouted;
// the server's refusal (an overlap, a grid leaving its community) is shown
// instead. Publishing sends the same edit without dry_run: one revision.
// Split cuts the grid along the straight line between two of its boundary
// points (vertices or edge midpoints, clicked in turn) into itself and a new
// grid of the same community (the next free code); merge takes in a
// neighbouring grid that shares an edge, which the revision removes. Every
// change can be undone, one at a time, until the edit is published.

const editCard = document.getElementById('edit-card');
// {code, base, grids: Map(code → Feature in WGS-84), changed: Set, removed: Set, added: Set,
//  history: [snapshot], mode: null|'split'|'merge', cut: [pos], markers: [], seq}
let edit = null;

const samePos = (a, b) => a[0] === b[0] && a[1] === b[1];
const eachRing = (geom, fn) => {
  const polys = geom.type === 'Polygon' ? [geom.coordinates] : geom.coordinates;
  for (const poly of polys) for (const ring of poly) fn(ring);
};

async function startEdit(code) {
  clickPopup.remove();
  stopEdit();
  const [revs, f] = await Promise.all([get('/api/v1/revisions'), get(`/api/v1/areas/${encodeURIComponent(code)}`)]);
  const bb = bboxOf(f);
  const pad = 0.002;
  const [near, siblings] = await Promise.all([
    get('/api/v1/areas', { level: 'grid', bbox: [bb[0] - pad, bb[1] - pad, bb[2] + pad, bb[3] + pad] }),
    get('/api/v1/areas', { level: 'grid', parent: f.properties.parent_code }), // every code a split must not reuse
  ]);
  const mine = new Set();
  eachRing(f.geometry, (r) => { for (const q of r) mine.add(`${q[0]},${q[1]}`); });
  const grids = new Map([[code, f]]);
  for (const n of near.features) {
    if (n.properties.code === code) continue;
    let touching = false;
    eachRing(n.geometry, (r) => { touching ||= r.some((q) => mine.has(`${q[0]},${q[1]}`)); });
    if (touching) grids.set(n.properties.code, n);
  }
  const before = new Map([...grids.values()].map((g) => [g.properties.code, g.properties.households]));
  edit = {
    code, base: revs.revisions[0]?.id || 0, grids, before, changed: new Set(), removed: new Set(), added: new Set(),
    siblings: siblings.features.map((g) => g.properties.code),
    history: [], mode: null, cut: [], markers: [], seq: 0, preview: null, error: '',
  };
  body.dataset.editing = code;
  delete body.dataset.editPreview;
  delete body.dataset.editError;
  placeMarkers();
  drawEdit();
  renderEdit();
  map.fitBounds(dispBox(bb), { padding: 80, duration: 0 });
}

/** shares reports whether a grid other than the edited one has the vertex q, or (with r) the edge q–r. */
function shares(q, r) {
  for (const [c, g] of edit.grids) {
    if (c === edit.code) continue;
    let hit = false;
    eachRing(g.geometry, (ring) => {
      for (let i = 0; i < ring.length && !hit; i++) {
        if (!samePos(ring[i], q)) continue;
        hit = !r || (i + 1 < ring.length && samePos(ring[i + 1], r)) || (i > 0 && samePos(ring[i - 1], r));
      }
    });
    if (hit) return true;
  }
  return false;
}

/**
 * placeMarkers puts a draggable marker on every vertex of the edited grid
 * and a smaller one on every edge's midpoint, which inserts a vertex there
 * (into the neighbour too when it shares the edge).
 */
function placeMarkers() {
  for (const m of edit.markers) m.remove();
  edit.markers = [];
  const seen = new Set();
  const add = (pos, cls, shared, onDrop, onDouble) => {
    const el = Object.assign(document.createElement('div'), { className: cls });
    el.dataset.pos = `${pos[0]},${pos[1]}`;
    el.dataset.shared = String(shared);
    if (onDouble) el.addEventListener('dblclick', (ev) => { ev.stopPropagation(); ev.preventDefault(); onDouble(); });
    el.addEventListener('click', (ev) => {
      if (edit?.mode !== 'split') return;
      ev.stopPropagation();
      pickCut(pos);
    });
    if (edit.cut.some((q) => samePos(q, pos))) el.classList.add('cut');
    const m = new maplibregl.Marker({ element: el, draggable: true }).setLngLat(P(pos[0], pos[1])).addTo(map);
    m.on('dragend', () => {
      const ll = m.getLngLat();
      onDrop(unP(ll.lng, ll.lat).map((v) => Math.round(v * 1e7) / 1e7));
    });
    edit.markers.push(m);
  };
  eachRing(edit.grids.get(edit.code).geometry, (ring) => {
    for (let i = 0; i + 1 < ring.length; i++) {
      const a = ring[i].slice(); const b = ring[i + 1].slice();
      const k = `${a[0]},${a[1]}`;
      if (!seen.has(k)) {
        seen.add(k);
        add(a, 'vertex', shares(a), (to) => moveVertex(a, to), () => deleteVertex(a));
      }
      add([(a[0] + b[0]) / 2, (a[1] + b[1]) / 2], 'vertex mid', shares(a, b), (to) => insertVertex(a, b, to));
    }
  });
}

function moveVertex(from, to) {
  record();
  for (const [c, g] of edit.grids) {
    let hit = false;
    eachRing(g.geometry, (r) => { for (const q of r) if (samePos(q, from)) { q[0] = to[0]; q[1] = to[1]; hit = true; } });
    if (hit) edit.changed.add(c);
  }
  placeMarkers();
  drawEdit();
  preview();
}

/**
 * deleteVertex takes the vertex q out of every edited grid that has it (a
 * double click); a ring left with fewer than three corners refuses it.
 */
function deleteVertex(q) {
  const rings = [];
  for (const [c, g] of edit.grids) eachRing(g.geometry, (r) => { if (r.some((x) => samePos(x, q))) rings.push([c, r]); });
  if (rings.some(([, r]) => r.length - 1 <= 3)) {
    edit.error = t('tooFewVertices');
    renderEdit();
    return;
  }
  record();
  for (const [c, r] of rings) {
    const i = r.findIndex((x) => samePos(x, q));
    if (i === 0) { r.shift(); r[r.length - 1] = r[0].slice(); } else r.splice(i, 1);
    edit.changed.add(c);
  }
  placeMarkers();
  drawEdit();
  preview();
}

/** insertVertex puts a new vertex to on the edge a–b of every edited grid that has that edge. */
function insertVertex(a, b, to) {
  record();
  for (const [c, g] of edit.grids) {
    eachRing(g.geometry, (r) => {
      for (let i = 0; i + 1 < r.length; i++) {
        if ((samePos(r[i], a) && samePos(r[i + 1], b)) || (samePos(r[i], b) && samePos(r[i + 1], a))) {
          r.splice(i + 1, 0, to.slice());
          edit.changed.add(c);
          break;
        }
      }
    });
  }
  placeMarkers();
  drawEdit();
  preview();
}

/** record saves the edit's state before a change, for undo. */
function record() {
  edit.history.push(JSON.stringify({
    grids: [...edit.grids], changed: [...edit.changed], removed: [...edit.removed], added: [...edit.added],
  }));
}

function undo() {
  const h = edit.history.pop();
  if (!h) return;
  const st = JSON.parse(h);
  edit.grids = new Map(st.grids);
  edit.changed = new Set(st.changed);
  edit.removed = new Set(st.removed);
  edit.added = new Set(st.added);
  edit.mode = null;
  edit.cut = [];
  edit.error = '';
  delete body.dataset.editError;
  afterChange();
}

/** afterChange redraws the edit and asks for a new preview (or clears it when nothing is left to change). */
function afterChange() {
  placeMarkers();
  drawEdit();
  if (edit.changed.size || edit.removed.size) {
    preview();
    renderEdit();
  } else {
    edit.seq++;
    edit.preview = null;
    body.dataset.editPreview = String(edit.seq);
    renderEdit();
  }
}

/** setMode enters or leaves split or merge mode. */
function setMode(mode) {
  edit.mode = edit.mode === mode ? null : mode;
  edit.cut = [];
  edit.error = '';
  placeMarkers();
  renderEdit();
}

/** outerRing returns the edited grid's only ring, or explains why it cannot be split or merged. */
function outerRing(g) {
  const geom = g.geometry;
  const polys = geom.type === 'Polygon' ? [geom.coordinates] : geom.coordinates;
  if (polys.length !== 1 || polys[0].length !== 1) return null;
  return polys[0][0];
}

/**
 * pickCut takes a boundary point of the edited grid (a vertex, or an edge
 * midpoint, which becomes a vertex of every grid on that edge); the second
 * one splits the grid along the line between them.
 */
function pickCut(pos) {
  if (edit.cut.length === 1 && samePos(edit.cut[0], pos)) return;
  edit.cut.push(pos.slice());
  if (edit.cut.length < 2) {
    placeMarkers();
    renderEdit();
    return;
  }
  const [a, b] = edit.cut;
  edit.mode = null;
  edit.cut = [];
  const g = edit.grids.get(edit.code);
  const ring = outerRing(g);
  if (!ring) {
    edit.error = t('splitNeedsOneRing');
    afterChange();
    return;
  }
  record();
  for (const q of [a, b]) {
    if (ring.some((x) => samePos(x, q))) continue;
    // q is an edge midpoint: make it a vertex of every grid with that edge.
    for (const [c, h] of edit.grids) {
      eachRing(h.geometry, (r) => {
        for (let i = 0; i + 1 < r.length; i++) {
          const m = [(r[i][0] + r[i + 1][0]) / 2, (r[i][1] + r[i + 1][1]) / 2];
          if (samePos(m, q)) { r.splice(i + 1, 0, q.slice()); edit.changed.add(c); break; }
        }
      });
    }
  }
  const open = outerRing(g).slice(0, -1);
  let i = open.findIndex((x) => samePos(x, a));
  let j = open.findIndex((x) => samePos(x, b));
  if (i > j) [i, j] = [j, i];
  const one = open.slice(i, j + 1);
  const two = open.slice(j).concat(open.slice(0, i + 1));
  if (i < 0 || one.length < 3 || two.length < 3) {
    undo(); // takes back the vertices inserted above
    edit.error = t('splitAdjacent');
    renderEdit();
    return;
  }
  const close = (r) => [...r.map((q) => q.slice()), r[0].slice()];
  const [keep, give] = ringArea(one) >= ringArea(two) ? [one, two] : [two, one];
  g.geometry = { type: 'Polygon', coordinates: [close(keep)] };
  const nc = nextGridCode(g.properties.parent_code);
  const n = Number(nc.slice(g.properties.parent_code.length)) || edit.grids.size + 1;
  const name = /第\d+网格$/.test(g.properties.name) ? g.properties.name.replace(/第\d+网格$/, `第${n}网格`) : `${g.properties.name}-${n}`;
  edit.grids.set(nc, { type: 'Feature', properties: { code: nc, name, parent_code: g.properties.parent_code, households: 0 }, geometry: { type: 'Polygon', coordinates: [close(give)] } });
  edit.changed.add(edit.code);
  edit.changed.add(nc);
  edit.added.add(nc);
  edit.error = '';
  afterChange();
}

/** ringArea is a ring's planar area (square degrees, unsigned). */
function ringArea(r) {
  let a = 0;
  for (let i = 0; i < r.length; i++) {
    const p = r[i]; const q = r[(i + 1) % r.length];
    a += p[0] * q[1] - q[0] * p[1];
  }
  return Math.abs(a / 2);
}

/** nextGridCode is the community's code and the next three-digit number after its grids' (stored, removed or new in this edit). */
function nextGridCode(parent) {
  let n = 0;
  const codes = [...edit.siblings, ...edit.removed, ...edit.grids.keys()];
  for (const c of codes) {
    if (!c.startsWith(parent)) continue;
    const k = Number(c.slice(parent.length));
    if (Number.isInteger(k) && k > n) n = k;
  }
  return parent + String(n + 1).padStart(3, '0');
}

/**
 * merge takes the neighbouring grid code into the edited one: their shared
 * edges go, the rest of both boundaries becomes the edited grid's ring, and
 * the neighbour is removed (or, when the edit created it, dropped).
 */
function merge(code) {
  const g = edit.grids.get(edit.code);
  const h = edit.grids.get(code);
  const ra = outerRing(g); const rb = outerRing(h);
  if (!ra || !rb) { edit.error = t('mergeNeedsOneRing'); renderEdit(); return; }
  const ccw = (r) => { const o = r.slice(0, -1); let a = 0; for (let i = 0; i < o.length; i++) { const p = o[i]; const q = o[(i + 1) % o.length]; a += p[0] * q[1] - q[0] * p[1]; } return a > 0 ? o : o.reverse(); };
  const key = (p) => `${p[0]},${p[1]}`;
  const edges = [];
  for (const o of [ccw(ra), ccw(rb)]) for (let i = 0; i < o.length; i++) edges.push([o[i], o[(i + 1) % o.length]]);
  const set = new Set(edges.map(([p, q]) => `${key(p)}>${key(q)}`));
  const kept = edges.filter(([p, q]) => !set.has(`${key(q)}>${key(p)}`));
  if (kept.length === edges.length) { edit.error = t('mergeNoSharedEdge'); renderEdit(); return; }
  const next = new Map();
  for (const [p, q] of kept) {
    if (next.has(key(p))) { edit.error = t('mergeNotOne'); renderEdit(); return; }
    next.set(key(p), [p, q]);
  }
  const ring = [kept[0][0]];
  let cur = kept[0][1];
  while (key(cur) !== key(ring[0]) && ring.length <= kept.length) { ring.push(cur); cur = next.get(key(cur))?.[1]; if (!cur) break; }
  if (!cur || ring.length !== kept.length) { edit.error = t('mergeNotOne'); renderEdit(); return; }
  record();
  g.geometry = { type: 'Polygon', coordinates: [[...ring.map((q) => q.slice()), ring[0].slice()]] };
  edit.grids.delete(code);
  edit.changed.delete(code);
  if (edit.added.has(code)) edit.added.delete(code); else edit.removed.add(code);
  edit.changed.add(edit.code);
  edit.mode = null;
  edit.error = '';
  afterChange();
}

/** neighbours are the edited grids that share an edge with the edited one. */
function neighbours() {
  const out = [];
  const g = edit.grids.get(edit.code);
  for (const [c] of edit.grids) {
    if (c === edit.code) continue;
    let hit = false;
    eachRing(g.geometry, (r) => { for (let i = 0; i + 1 < r.length && !hit; i++) hit = sharedBy(c, r[i], r[i + 1]); });
    if (hit) out.push(c);
  }
  return out;
}

/** sharedBy reports whether grid c has the edge q–r. */
function sharedBy(c, q, r) {
  let hit = false;
  eachRing(edit.grids.get(c).geometry, (ring) => {
    for (let i = 0; i + 1 < ring.length && !hit; i++) {
      hit = (samePos(ring[i], q) && samePos(ring[i + 1], r)) || (samePos(ring[i], r) && samePos(ring[i + 1], q));
    }
  });
  return hit;
}

function drawEdit() {
  const fc = { type: 'FeatureCollection', features: edit ? [...edit.grids.values()].map((g) => ({ ...g, properties: { code: g.properties.code, mine: g.properties.code === edit.code } })) : [] };
  map.getSource('edit')?.setData(disp(fc));
}

function editBody(dryRun) {
  const put = [...edit.changed].filter((c) => edit.grids.has(c)).map((c) => {
    const g = edit.grids.get(c);
    return { type: 'Feature', properties: { code: c, name: g.properties.name, parent_code: g.properties.parent_code }, geometry: g.geometry };
  });
  return {
    base_revision: edit.base, dry_run: dryRun, note: `${t('editTitle')}: ${edit.code}`, put: { type: 'FeatureCollection', features: put }, remove: [...edit.removed],
  };
}

async function preview() {
  if (!edit?.changed.size && !edit?.removed.size) return;
  const seq = ++edit.seq;
  try {
    const pv = await send('POST', '/api/v1/revisions', editBody(true));
    if (!edit || seq !== edit.seq) return;
    edit.preview = pv;
    edit.error = '';
    body.dataset.editPreview = String(seq);
    delete body.dataset.editError;
  } catch (err) {
    if (!edit || seq !== edit.seq) return;
    edit.preview = null;
    edit.error = err.message || String(err);
    body.dataset.editError = String(err.status || 0);
  }
  renderEdit();
}

function renderEdit() {
  editCard.hidden = !edit;
  if (!edit) return;
  const name = areaName(edit.code);
  const pv = edit.preview;
  const rows = pv ? pv.grids.map((g) => `<tr data-code="${esc(g.code)}"><td><input class="grid-name" data-code="${esc(g.code)}" value="${esc(edit.grids.get(g.code)?.properties.name ?? g.name)}" aria-label="${t('gridName')}" maxlength="100"><br><small>${esc(g.code)}</small></td>
      <td class="num">${edit.before.get(g.code) ?? '–'} → <i class="sw" style="background:${BAND_COLORS[band(g.households)]}"></i><b>${g.households}</b></td><td>${t(`band_${g.band}`)}</td></tr>`).join('') : '';
  const tools = `<div class="row tools"><button type="button" id="edit-undo" ${edit.history.length ? '' : 'disabled'}>${t('undo')}</button>
    <button type="button" id="edit-split" class="${edit.mode === 'split' ? 'on' : ''}">${t('split')}</button>
    <button type="button" id="edit-merge" class="${edit.mode === 'merge' ? 'on' : ''}">${t('merge')}</button></div>`;
  const modeHint = edit.mode === 'split' ? `<p class="hint mode">${t(edit.cut.length ? 'splitSecond' : 'splitFirst')}</p>`
    : edit.mode === 'merge' ? `<p class="hint mode">${t('mergeWhich')}</p><div class="merge-list">${neighbours().map((c) => `<button type="button" class="merge-with" data-code="${esc(c)}">${esc(edit.grids.get(c).properties.name || c)}</button>`).join('') || t('noData')}</div>` : '';
  const removed = edit.removed.size ? `<p class="edit-effect">${t('gridsRemoved')} <b>${[...edit.removed].map(esc).join(', ')}</b></p>` : '';
  editCard.innerHTML = `<h2>${t('editTitle')}: ${esc(name)} <small>${esc(edit.code)}</small></h2>
    <p class="hint">${t('editHint')}</p>${tools}${modeHint}${removed}
    ${pv ? `<table class="edit-grids"><tr><th>${t('grid')}</th><th>${t('households')}</th><th></th></tr>${rows}</table>
      <p class="edit-effect">${t('buildingsMoved')} <b>${pv.buildings_moved}</b> · ${t('casesRerouted')} <b>${pv.rerouted_count}</b>${pv.unassigned_buildings ? ` · <span class="bad">${t('gapBuildings')} <b>${pv.unassigned_buildings}</b></span>` : ''}</p>`
    : `<p class="edit-effect">${edit.error ? '' : edit.changed.size || edit.removed.size ? '…' : t('editNoChange')}</p>`}
    <div class="edit-error bad" role="alert">${esc(edit.error)}</div>
    <div class="row"><button type="button" id="edit-publish" ${pv && !edit.error ? '' : 'disabled'}>${t('publish')}</button>
    <button type="button" id="edit-cancel">${t('cancel')}</button></div>`;
}

function stopEdit() {
  if (!edit) return;
  for (const m of edit.markers) m.remove();
  edit = null;
  delete body.dataset.editing;
  drawEdit();
  renderEdit();
}

// A redrawn or new grid's name is edited in its row of the preview.
editCard.addEventListener('change', (e) => {
  const inp = e.target.closest?.('input.grid-name');
  const g = inp && edit?.grids.get(inp.dataset.code);
  if (!g || !inp.value.trim() || inp.value.trim() === g.properties.name) return;
  record();
  g.properties.name = inp.value.trim();
  edit.changed.add(inp.dataset.code);
  preview();
});

editCard.addEventListener('click', async (e) => {
  if (e.target.id === 'edit-cancel') { stopEdit(); return; }
  if (edit && e.target.id === 'edit-undo') { undo(); return; }
  if (edit && e.target.id === 'edit-split') { setMode('split'); return; }
  if (edit && e.target.id === 'edit-merge') { setMode('merge'); return; }
  const mw = e.target.closest?.('button.merge-with');
  if (edit && mw) { merge(mw.dataset.code); return; }
  if (e.target.id !== 'edit-publish' || !edit) return;
  e.target.disabled = true;
  try {
    const res = await send('POST', '/api/v1/revisions', editBody(false));
    const code = edit.code;
    stopEdit();
    body.dataset.published = String(res.revision.id);
    showNotice(`${t('published')} ${res.revision.id}: ${areaName(code)}`);
    await loadAreas({ fit: false });
    state.summary = await fetchSummary();
    renderVacant();
  } catch (err) {
    if (edit) { edit.error = err.message || String(err); body.dataset.editError = String(err.status || 0); renderEdit(); }
  }
});

document.getElementById('map').addEventListener('click', (e) => {
  const b = e.target.closest('.click-pop button.edit-boundary');
  if (b) startEdit(b.dataset.code).catch((err) => showError(err));
});

function showNotice(msg) {
  const el = document.getElementById('notice') || Object.assign(document.createElement('div'), { id: 'notice' });
  el.textContent = msg;
  document.getElementById('map-wrap').append(el);
  clearTimeout(showNotice.h);
  showNotice.h = setTimeout(() => el.remove(), 8000);
}

function renderLive() {
  document.getElementById('live-list').innerHTML = state.live.slice(0, 20).map(caseItem).join('') || `<li class="empty">${t('noData')}</li>`;
}

const COLS = [
  ['name', 'name'], ['reports', 'reports'], ['open', 'open'], ['overdue', 'colOverdue'], ['closed', 'closed'],
  ['on_time_rate', 'colOnTime'], ['median_close_hours', 'medianHours'], ['households', 'colHouseholds'],
];
function renderTable() {
  const rows = [...(state.areas[state.tableLevel] || [])];
  const { key, dir } = state.sort;
  rows.sort((a, b) => {
    const x = a[key], y = b[key];
    if (typeof x === 'string' || typeof y === 'string') return dir * String(x ?? '').localeCompare(String(y ?? ''), 'zh');
    return dir * ((x ?? -Infinity) - (y ?? -Infinity));
  });
  const th = COLS.map(([k, l]) => `<th data-key="${k}" class="${k === key ? (dir > 0 ? 'asc' : 'desc') : ''}">${t(l)}</th>`).join('');
  const fmt = (k, v) => (k === 'on_time_rate' ? pct(v) : k === 'median_close_hours' ? (v == null ? '–' : Number(v).toFixed(1)) : esc(v ?? '–'));
  const tr = rows.map((r) => `<tr data-code="${esc(r.code)}" data-level="${esc(r.level || state.tableLevel)}">${COLS.map(([k]) => `<td class="${k === 'overdue' && r[k] ? 'bad' : ''}">${fmt(k, r[k])}</td>`).join('')}</tr>`).join('');
  document.getElementById('area-table').innerHTML = `<thead><tr>${th}</tr></thead><tbody>${tr}</tbody>`;
  for (const b of document.querySelectorAll('.tabs button')) b.classList.toggle('active', b.dataset.table === state.tableLevel);
}

document.getElementById('area-table').addEventListener('click', (e) => {
  const th = e.target.closest('th[data-key]');
  if (th) {
    const k = th.dataset.key;
    state.sort = { key: k, dir: state.sort.key === k ? -state.sort.dir : (k === 'name' ? 1 : -1) };
    renderTable();
    return;
  }
  const tr = e.target.closest('tr[data-code]');
  if (!tr) return;
  const row = state.areas[state.tableLevel].find((r) => r.code === tr.dataset.code);
  drillTo(tr.dataset.level, tr.dataset.code, row?.bbox);
});
document.querySelector('.tabs').addEventListener('click', (e) => {
  const b = e.target.closest('button[data-table]');
  if (!b) return;
  state.tableLevel = b.dataset.table;
  renderTable();
});

/** fetchSummary reads the KPI summary of the selected time range. */
function fetchSummary() {
  return get('/api/v1/stats/summary', { from: state.from.toISOString(), to: state.to.toISOString() });
}

async function loadPanel() {
  const range = { from: state.from.toISOString(), to: state.to.toISOString() };
  const jobs = [
    fetchSummary().then((s) => { state.summary = s; renderKPIs(); renderVacant(); if (config.gridSource === 'mvt') renderLegend(); }),
    get('/api/v1/reports', { overdue: 'true', limit: 50 }).then((fc) => { state.overdue = fc.features || []; renderOverdue(); }),
    get('/api/v1/stats/areas', { level: 'street', ...range }).then((r) => { state.areas.street = r.areas || []; }),
    get('/api/v1/stats/areas', { level: 'community', ...range }).then((r) => { state.areas.community = r.areas || []; }),
  ];
  const res = await Promise.allSettled(jobs);
  for (const r of res) if (r.status === 'rejected') { console.error(r.reason); showError(r.reason); }
  renderTable();
}
const debouncedPanel = debounce(loadPanel, 2000);

async function showCase(id) {
  const el = document.getElementById('case-detail');
  try {
    const { report: r, events = [] } = await get(`/api/v1/reports/${encodeURIComponent(id)}`);
    const p = reportProps(r);
    const pt = reportPoint(r);
    el.hidden = false;
    el.dataset.id = String(p.id);
    el.innerHTML = `<h2>${esc(catName(p.category))} <small>#${esc(p.id)}</small><button type="button" class="x" aria-label="${t('close')}">×</button></h2>
      <p class="desc">${esc(p.description || '')}</p>
      <table>
        <tr><th>${t('status')}</th><td>${esc(t(`st_${p.status}`))}${p.overdue ? ` <b class="bad">${t('overdue')}</b>` : ''}</td></tr>
        <tr><th>${t('grid')}</th><td>${esc(p.grid_code || p.routing?.grid_code || '')} ${esc(areaName(p.grid_code || ''))}</td></tr>
        <tr><th>${t('createdAt')}</th><td>${esc(fmtTime(p.created_at, getLang()))}</td></tr>
        <tr><th>${t('dueAt')}</th><td>${esc(fmtTime(p.due_at, getLang()))}</td></tr>
      </table>
      <h3>${t('timeline')}</h3>
      <ol class="timeline">${events.map((ev) => `<li data-kind="${esc(ev.kind)}"><time>${esc(fmtTime(ev.at, getLang()))}</time>
        <b>${esc(t(`ev_${ev.kind}`) !== `ev_${ev.kind}` ? t(`ev_${ev.kind}`) : t(`st_${ev.to || ev.kind}`))}</b>
        ${ev.from ? `<span class="meta">${esc(t(`st_${ev.from}`))} → ${esc(t(`st_${ev.to}`))}</span>` : ''}
        ${ev.actor_id ? `<span class="meta">#${esc(ev.actor_id)}</span>` : ''}
        ${ev.reason ? `<div class="reason">${esc(ev.reason)}</div>` : ''}</li>`).join('')}</ol>`;
    el.querySelector('.x').addEventListener('click', () => { el.hidden = true; });
    if (pt && map.getZoom() < CASES_MINZOOM) map.flyTo({ center: P(pt[0], pt[1]), zoom: 16 });
  } catch (e) { showError(e); }
}

for (const id of ['overdue-list', 'live-list']) {
  document.getElementById(id).addEventListener('click', (e) => {
    const li = e.target.closest('li[data-id]');
    if (!li) return;
    const list = id === 'overdue-list' ? state.overdue : state.live;
    const f = list.find((x) => String(reportProps(x).id) === li.dataset.id);
    const pt = reportPoint(f);
    if (pt) map.flyTo({ center: P(pt[0], pt[1]), zoom: Math.max(map.getZoom(), 16) });
    showCase(li.dataset.id);
  });
}

// ---- live reports ----------------------------------------------------------------

let liveCount = 0;
const seenLive = new Set();
/**
 * onLiveReport handles one "report" event of the live feed. The server sends
 * the event for new cases and for every later transition of a case: only a
 * case not seen before, still in "reported" and created in the last hour
 * counts as new (pulses, bumps the KPIs); a change updates the lists.
 */
function onLiveReport(r) {
  const p = reportProps(r);
  const pt = reportPoint(r);
  const feature = { type: 'Feature', properties: p, geometry: pt ? { type: 'Point', coordinates: pt } : null };
  // A case the server changed since (rerouted by a boundary edit, say) is
  // not new, even if this page has not seen it before.
  const fresh = !seenLive.has(String(p.id)) && (!p.status || p.status === 'reported')
    && (!p.created_at || Date.now() - new Date(p.created_at).getTime() < 3600e3)
    && (!p.updated_at || !p.created_at || p.updated_at === p.created_at);
  seenLive.add(String(p.id));
  if (!fresh) {
    const i = state.live.findIndex((x) => String(x.properties.id) === String(p.id));
    if (i >= 0) { state.live[i] = feature; renderLive(); }
    body.dataset.lastUpdateId = String(p.id);
    debouncedPanel();
    return;
  }
  state.live.unshift(feature);
  state.live.length = Math.min(state.live.length, 50);
  renderLive();
  liveCount++;
  body.dataset.liveCount = String(liveCount);
  body.dataset.lastLiveId = String(p.id);
  if (state.summary) {
    state.summary = { ...state.summary, new_today: (state.summary.new_today || 0) + 1, open: (state.summary.open || 0) + 1 };
    renderKPIs();
  }
  if (pt) {
    const el = document.createElement('div');
    el.className = 'pulse';
    el.dataset.id = String(p.id);
    el.title = `${catName(p.category)} #${p.id}`;
    const mk = new maplibregl.Marker({ element: el }).setLngLat(P(pt[0], pt[1])).addTo(map);
    el.addEventListener('click', (e) => { e.stopPropagation(); showCase(p.id); });
    setTimeout(() => { el.classList.add('settled'); }, 30e3);
    setTimeout(() => mk.remove(), 10 * 60e3);
    if (map.getZoom() >= CASES_MINZOOM && pt) {
      casesFC = { type: 'FeatureCollection', features: [...(casesFC.features || []), feature] };
      map.getSource('cases').setData(disp(casesFC));
    }
  }
  debouncedPanel();
  debouncedHeat();
}
window.__onLiveReport = onLiveReport; // for the browser tests, like window.__map
const debouncedHeat = debounce(() => { if (state.day === null && state.to.getTime() >= Date.now() - 60e3) { state.to = new Date(); loadHeat(); } }, 3000);

function connectStream() {
  const status = document.getElementById('live-status') || Object.assign(document.createElement('span'), { id: 'live-status' });
  document.getElementById('toggles').prepend(status);
  const es = new EventSource(streamURL());
  status.textContent = t('connecting');
  status.className = '';
  es.addEventListener('open', () => { status.textContent = `● ${t('liveOn')}`; status.className = 'on'; body.dataset.live = '1'; });
  es.addEventListener('error', () => { status.textContent = `○ ${t('liveOff')}`; status.className = 'off'; body.dataset.live = '0'; });
  es.addEventListener('report', (ev) => {
    try { onLiveReport(JSON.parse(ev.data)); } catch (e) { console.error('bad report event', e); }
  });
  // The server sends `reload` when this client fell behind and missed
  // changes: fetch the figures, cases and heatmap afresh.
  es.addEventListener('reload', () => { loadPanel(); loadCases(); loadHeat(); });
}

// ---- map interaction ---------------------------------------------------------------

function bindMap() {
  map.on('mousemove', 'grids-fill', (e) => {
    const f = e.features?.[0];
    if (!f) return;
    map.getCanvas().style.cursor = 'pointer';
    setHover(f.properties.code);
    hoverGrid(f.properties, e.lngLat);
  });
  map.on('mouseleave', 'grids-fill', () => { map.getCanvas().style.cursor = ''; setHover(null); clearTimeout(hoverTimer); hoverPopup.remove(); });

  map.on('click', (e) => {
    if (e.originalEvent?.target?.closest?.('.vertex')) return; // a boundary vertex being edited
    if (edit?.mode) return; // splitting or merging: only the edit's own markers and buttons act
    const hit = (layers) => map.queryRenderedFeatures(e.point, { layers: layers.filter((l) => map.getLayer(l)) });
    clickPopup.remove();
    const cs = hit(['cases-point', 'cases-cluster']);
    if (cs.length) {
      const f = cs[0];
      if (f.properties.cluster_id !== undefined) {
        map.getSource('cases').getClusterExpansionZoom(f.properties.cluster_id)
          .then((z) => map.easeTo({ center: f.geometry.coordinates, zoom: z + 0.5 }));
      } else showCase(f.properties.id);
      return;
    }
    const street = hit(['street-fill'])[0];
    const inCrumb = (lvl) => state.crumb.find((c) => c.level === lvl)?.code;
    if (street && street.properties.code !== inCrumb('street') && worthDrilling(state.areaIndex.get(street.properties.code)?.bbox)) {
      drillTo('street', street.properties.code);
      return;
    }
    const comm = hit(['community-fill'])[0];
    if (comm && comm.properties.code !== inCrumb('community') && worthDrilling(state.areaIndex.get(comm.properties.code)?.bbox)) {
      drillTo('community', comm.properties.code);
      return;
    }
    const g = hit(['grids-fill'])[0];
    if (g) {
      const np = normGrid(g.properties);
      const ch = crumbFor('grid', np.code);
      if (ch.length > 1) { state.crumb = ch; renderCrumb(); }
      showGrid(g.properties, e.lngLat);
    } else if (comm || street) {
      state.crumb = crumbFor(comm ? 'community' : 'street', (comm || street).properties.code);
      renderCrumb();
    }
  });

  map.on('moveend', () => { updateLabels(); debouncedCases(); });
}
const debouncedCases = debounce(loadCases, 250);

// Grid labels: HTML markers (no glyphs to fetch) for the grids in view at close zoom.
const labels = new Map();
function updateLabels() {
  if (map.getZoom() < LABEL_MINZOOM) {
    for (const m of labels.values()) m.remove();
    labels.clear();
    return;
  }
  const want = new Map();
  for (const f of map.queryRenderedFeatures({ layers: ['grids-fill'] })) {
    const code = f.properties.code;
    if (want.has(code) || want.size >= 300) continue;
    const c = state.gridIndex.get(code)?.center || labelPoint(f.geometry);
    if (c) want.set(code, { name: f.properties.name, c: config.gridSource === 'mvt' ? c : P(c[0], c[1]) });
  }
  for (const [code, m] of labels) if (!want.has(code)) { m.remove(); labels.delete(code); }
  for (const [code, w] of want) {
    if (labels.has(code)) continue;
    const el = document.createElement('div');
    el.className = 'grid-label';
    el.dataset.code = code;
    el.innerHTML = `${esc(w.name)}<small>${esc(code.slice(-3))}</small>`;
    labels.set(code, new maplibregl.Marker({ element: el }).setLngLat(w.c).addTo(map));
  }
  body.dataset.labels = String(labels.size);
}

// ---- search, language, GCJ ----------------------------------------------------------

document.getElementById('search').addEventListener('submit', (e) => {
  e.preventDefault();
  const q = document.getElementById('search-input').value.trim();
  if (!q) return;
  const lq = q.toLowerCase();
  let hit = state.gridIndex.has(q) ? { level: 'grid', code: q } : null;
  if (!hit) {
    for (const a of state.areaIndex.values()) if (a.level !== 'district' && (a.code === q || a.name === q)) { hit = a; break; }
  }
  if (!hit) for (const [code, g] of state.gridIndex) if (g.p.name === q) { hit = { level: 'grid', code }; break; }
  if (!hit) {
    for (const [code, g] of state.gridIndex) if (code.endsWith(q) || g.p.name?.toLowerCase().includes(lq)) { hit = { level: 'grid', code }; break; }
  }
  if (!hit) for (const a of state.areaIndex.values()) if (a.level !== 'district' && a.name?.toLowerCase().includes(lq)) { hit = a; break; }
  if (!hit) {
    fetchArea(q).then((code) => { body.dataset.searchHit = code; }).catch(() => showError({ message: `${t('notFound')}: ${q}` }));
    return;
  }
  if (hit.level === 'grid') {
    openGrid(hit.code);
  } else {
    drillTo(hit.level, hit.code);
  }
  body.dataset.searchHit = hit.code;
});

/**
 * fetchArea asks the server for the area with this code (vector-tile mode
 * keeps no grids in memory), zooms to it and, for a grid, opens its popup;
 * it resolves to the code.
 */
async function fetchArea(code) {
  const f = await get(`/api/v1/areas/${encodeURIComponent(code)}`);
  const p = f.properties || {};
  const bb = bboxOf(f);
  const c = labelPoint(f.geometry);
  if (!bb) throw new Error('no geometry');
  if (p.level === 'grid') state.gridIndex.set(p.code, { p: normGrid(p), bbox: bb, center: c });
  drillTo(p.level || 'grid', p.code, bb);
  if (p.level === 'grid' && c) map.once('moveend', () => showGrid(p, P(c[0], c[1])));
  return p.code;
}

/** openGrid zooms to a grid and opens its popup (asking the server when the page does not hold it). */
function openGrid(code) {
  body.dataset.opened = code;
  const g = state.gridIndex.get(code);
  if (!g) {
    fetchArea(code).catch((e) => showError(e));
    return;
  }
  drillTo('grid', code);
  map.once('moveend', () => { if (g.center) showGrid(g.p, P(g.center[0], g.center[1])); });
}

document.getElementById('lang').addEventListener('click', () => {
  setLang(getLang() === 'zh' ? 'en' : 'zh');
  localStorage.setItem('wangge.lang', getLang());
  rerenderText();
});

function rerenderText() {
  applyStatic();
  document.getElementById('lang').textContent = getLang() === 'zh' ? 'EN' : '中文';
  renderLegend(); renderCrumb(); renderCategories(); renderKPIs(); renderOverdue(); renderVacant(); renderLive(); renderTable(); renderDayLabel();
  const st = document.getElementById('live-status');
  if (st) st.textContent = body.dataset.live === '1' ? `● ${t('liveOn')}` : `○ ${t('liveOff')}`;
  body.dataset.lang = getLang();
}

const gcjBox = document.getElementById('gcj02');
if (config.gridSource === 'mvt') { gcjBox.disabled = true; gcjBox.parentElement.title = 'GCJ-02: GeoJSON grid layer only'; }
gcjBox.addEventListener('change', () => {
  stopEdit(); // the markers stand in the displayed CRS
  const c = map.getCenter();
  const wc = unP(c.lng, c.lat);
  state.gcj = gcjBox.checked;
  pushAreaData();
  for (const m of labels.values()) m.remove();
  labels.clear();
  map.jumpTo({ center: P(wc[0], wc[1]) });
  loadHeat();
  loadCases();
});

// ---- start --------------------------------------------------------------------------

body.dataset.mapIdle = '0';
body.dataset.lang = getLang();
document.getElementById('lang').textContent = getLang() === 'zh' ? 'EN' : '中文';
setRange('7d');
renderKPIs();
renderOverdue();
renderLive();

busy(); // released once the style has loaded and the first loads are under way
map.on('load', async () => {
  addLayers();
  bindMap();
  renderCrumb();
  const cats = get('/api/v1/categories').then((r) => {
    state.categories = r.categories || [];
    state.selected = new Set(state.categories.map((c) => c.code));
    renderCategories();
  }).catch(showError);
  const areas = loadAreas();
  await Promise.all([cats, areas]);
  loadHeat();
  done();
  loadPanel();
  connectStream();
});
