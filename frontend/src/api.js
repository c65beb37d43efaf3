// api.js: the wangge HTTP API as the dashboard uses it. Every call goes to
// config.apiBase (the same origin when empty) with `Authorization: Bearer`
// when a token is configured. Nothing else on the network is ever fetched.

/** config is window.WANGGE_CONFIG merged over the defaults. */
export const config = Object.assign(
  { apiBase: '', token: '', basemap: '', lang: 'zh', attribution: '© OpenStreetMap contributors', gridSource: 'geojson' },
  globalThis.WANGGE_CONFIG || {},
);

/** absURL resolves an API path against apiBase and the page's location. */
export function absURL(path) {
  return new URL(config.apiBase.replace(/\/$/, '') + path, location.href).href;
}

/** authHeaders returns the headers every API request carries. */
export function authHeaders() {
  return config.token ? { Authorization: `Bearer ${config.token}` } : {};
}

function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === '') continue;
    u.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

/** APIError carries the HTTP status and the server's {"error":{code,message}}. */
export class APIError extends Error {
  constructor(status, code, message) { super(message || `HTTP ${status}`); this.status = status; this.code = code; }
}

/** get fetches path?params as JSON; signal aborts it. */
export async function get(path, params, signal) {
  const res = await fetch(absURL(path + qs(params)), { headers: authHeaders(), signal });
  if (!res.ok) {
    let code = '', message = '';
    try { const b = await res.json(); code = b?.error?.code || ''; message = b?.error?.message || ''; } catch { /* not JSON */ }
    throw new APIError(res.status, code, message);
  }
  return res.json();
}

/** send sends body as JSON with method to path and returns the JSON answer; a 4xx or 5xx throws an APIError with the server's message. */
export async function send(method, path, body) {
  const res = await fetch(absURL(path), { method, headers: { ...authHeaders(), 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  let b = null;
  try { b = await res.json(); } catch { /* not JSON */ }
  if (!res.ok) throw new APIError(res.status, b?.error?.code || '', b?.error?.message || '');
  return b;
}

/** streamURL is the server-sent events URL; EventSource cannot set headers, so the token goes in the query. */
export function streamURL() {
  return absURL('/api/v1/stream' + qs({ access_token: config.token }));
}
