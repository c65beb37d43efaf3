// util.js: small helpers with no map or DOM state.

/** esc escapes text for HTML. */
export function esc(v) {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

/** bboxOf returns [minLon, minLat, maxLon, maxLat] of a GeoJSON geometry, feature or collection (null if empty). */
export function bboxOf(obj) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c) => {
    if (typeof c[0] === 'number') {
      if (c[0] < b[0]) b[0] = c[0];
      if (c[1] < b[1]) b[1] = c[1];
      if (c[0] > b[2]) b[2] = c[0];
      if (c[1] > b[3]) b[3] = c[1];
    } else c.forEach(walk);
  };
  const geom = (g) => { if (g?.coordinates) walk(g.coordinates); else if (g?.geometries) g.geometries.forEach(geom); };
  if (obj?.type === 'FeatureCollection') obj.features.forEach((f) => geom(f.geometry));
  else if (obj?.type === 'Feature') geom(obj.geometry);
  else geom(obj);
  return b[0] === Infinity ? null : b;
}

/** labelPoint returns a point inside-ish the largest ring of a (Multi)Polygon: the area centroid of its outer ring. */
export function labelPoint(geom) {
  if (!geom) return null;
  const polys = geom.type === 'Polygon' ? [geom.coordinates] : geom.type === 'MultiPolygon' ? geom.coordinates : [];
  let best = null, bestA = -1;
  for (const p of polys) {
    const ring = p[0];
    let a = 0, cx = 0, cy = 0;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const f = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
      a += f; cx += (ring[j][0] + ring[i][0]) * f; cy += (ring[j][1] + ring[i][1]) * f;
    }
    if (Math.abs(a) > bestA && a !== 0) { bestA = Math.abs(a); best = [cx / (3 * a), cy / (3 * a)]; }
  }
  return best;
}

/** parseMaybeJSON returns v parsed when it is a JSON object/null string (vector tiles flatten objects to strings). */
export function parseMaybeJSON(v) {
  if (typeof v === 'string' && (v.startsWith('{') || v === 'null')) {
    try { return JSON.parse(v); } catch { /* keep the string */ }
  }
  return v;
}

/** normGrid returns a grid's properties with leader/fallback/community/street as objects. */
export function normGrid(p) {
  const q = { ...p };
  q.leader = parseMaybeJSON(p.leader) ?? (p.leader_name ? { name: p.leader_name, phone: p.leader_phone } : null);
  q.fallback = parseMaybeJSON(p.fallback) ?? (p.fallback_name ? { name: p.fallback_name, phone: p.fallback_phone, role: p.fallback_role } : null);
  for (const k of ['community', 'street']) {
    const v = parseMaybeJSON(p[k]);
    q[k] = v && typeof v === 'object' ? v : { code: p[`${k}_code`] || '', name: p[`${k}_name`] || v || '' };
  }
  q.vacant = p.vacant === true || p.vacant === 'true' || p.vacant === 1;
  q.households = Number(p.households) || 0;
  q.open_cases = Number(p.open_cases) || 0;
  q.overdue_cases = Number(p.overdue_cases) || 0;
  return q;
}

/** band names the household band of a grid: "low" (< 300), "mid" (300–600), "high" (> 600). */
export function band(households) {
  return households < 300 ? 'low' : households <= 600 ? 'mid' : 'high';
}

/** BAND_COLORS are the fill colours of the household bands. */
export const BAND_COLORS = { low: '#4f8fe6', mid: '#2fb67c', high: '#e5533d' };

/** fmtTime formats an RFC 3339 time for the wall screen (local time, minutes). */
export function fmtTime(s, lang) {
  if (!s) return '';
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return String(s);
  return d.toLocaleString(lang === 'en' ? 'en-GB' : 'zh-CN', { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

/** debounce delays fn until ms have passed without another call. */
export function debounce(fn, ms) {
  let h = 0;
  return (...a) => { clearTimeout(h); h = setTimeout(() => fn(...a), ms); };
}

/** reportPoint extracts [lon, lat] from a report in any of the shapes the API may send. */
export function reportPoint(r) {
  if (!r) return null;
  if (r.geometry?.coordinates) return r.geometry.coordinates;
  const src = r.properties || r;
  if (Array.isArray(src.location)) return src.location;
  if (src.location?.coordinates) return src.location.coordinates;
  if (src.location && typeof src.location.lon === 'number') return [src.location.lon, src.location.lat];
  if (typeof src.lon === 'number') return [src.lon, src.lat];
  return null;
}

/** reportProps returns the properties of a report given as a Feature or a plain object. */
export function reportProps(r) {
  return r?.type === 'Feature' ? { ...r.properties, id: r.properties?.id ?? r.id } : { ...r };
}
