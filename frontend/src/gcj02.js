// gcj02.js: WGS-84 → GCJ-02 display offset (the public Krasovsky-ellipsoid
// formulas). Applied only inside China's bounding box; used so that the
// dashboard's layers line up with a GCJ-02 basemap. Data stays WGS-84.
// Check vector: (116.397428, 39.90923) → (116.40367163, 39.91063351).

const A = 6378245.0;
const EE = 0.00669342162296594323;

function outOfChina(lon, lat) {
  return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function tLat(x, y) {
  let r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
  r += (20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin(y / 3.0 * Math.PI)) * 2.0 / 3.0;
  r += (160.0 * Math.sin(y / 12.0 * Math.PI) + 320 * Math.sin(y * Math.PI / 30.0)) * 2.0 / 3.0;
  return r;
}

function tLon(x, y) {
  let r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += (20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
  r += (20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin(x / 3.0 * Math.PI)) * 2.0 / 3.0;
  r += (150.0 * Math.sin(x / 12.0 * Math.PI) + 300.0 * Math.sin(x / 30.0 * Math.PI)) * 2.0 / 3.0;
  return r;
}

/** wgs84ToGcj02 maps a WGS-84 lon/lat (degrees) to GCJ-02; outside China it is the identity. */
export function wgs84ToGcj02(lon, lat) {
  if (outOfChina(lon, lat)) return [lon, lat];
  let dLat = tLat(lon - 105.0, lat - 35.0);
  let dLon = tLon(lon - 105.0, lat - 35.0);
  const radLat = lat / 180.0 * Math.PI;
  let magic = Math.sin(radLat);
  magic = 1 - EE * magic * magic;
  const sqrtMagic = Math.sqrt(magic);
  dLat = (dLat * 180.0) / ((A * (1 - EE)) / (magic * sqrtMagic) * Math.PI);
  dLon = (dLon * 180.0) / (A / sqrtMagic * Math.cos(radLat) * Math.PI);
  return [lon + dLon, lat + dLat];
}

/** mapCoords returns a deep copy of a GeoJSON geometry/feature/collection with fn applied to every position. */
export function mapCoords(obj, fn) {
  if (!obj) return obj;
  if (obj.type === 'FeatureCollection') return { ...obj, features: obj.features.map((f) => mapCoords(f, fn)) };
  if (obj.type === 'Feature') return { ...obj, geometry: mapCoords(obj.geometry, fn) };
  const walk = (c) => (typeof c[0] === 'number' ? fn(c[0], c[1]) : c.map(walk));
  if (obj.type === 'GeometryCollection') return { ...obj, geometries: obj.geometries.map((g) => mapCoords(g, fn)) };
  return { ...obj, coordinates: walk(obj.coordinates) };
}
