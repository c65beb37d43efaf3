// test/units.test.mjs: the dashboard's pure helpers, no browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wgs84ToGcj02, mapCoords } from '../src/gcj02.js';
import { band, bboxOf, labelPoint, normGrid, reportPoint } from '../src/util.js';

test('GCJ-02 offset matches the checked vector and leaves points outside China alone', () => {
  const cases = [
    { name: 'Beijing (field-notes vector)', in: [116.397428, 39.90923], want: [116.40367163, 39.91063351], eps: 1e-7 },
    { name: 'San Francisco (outside China)', in: [-122.4194, 37.7749], want: [-122.4194, 37.7749], eps: 0 },
  ];
  for (const c of cases) {
    const got = wgs84ToGcj02(...c.in);
    assert.ok(Math.abs(got[0] - c.want[0]) <= c.eps && Math.abs(got[1] - c.want[1]) <= c.eps, `${c.name}: ${got}`);
  }
  const fc = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [116.397428, 39.90923] } }] };
  const moved = mapCoords(fc, wgs84ToGcj02);
  assert.equal(fc.features[0].geometry.coordinates[0], 116.397428, 'the input is not modified');
  assert.ok(Math.abs(moved.features[0].geometry.coordinates[0] - 116.40367163) < 1e-7);
});

test('household bands: under 300, 300–600 inclusive, over 600', () => {
  const cases = [[0, 'low'], [299, 'low'], [300, 'mid'], [450, 'mid'], [600, 'mid'], [601, 'high'], [2000, 'high']];
  for (const [h, want] of cases) assert.equal(band(h), want, `${h} households`);
});

test('bbox and label point of a multipolygon', () => {
  const g = { type: 'MultiPolygon', coordinates: [[[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]], [[[5, 5], [9, 5], [9, 9], [5, 9], [5, 5]]]] };
  assert.deepEqual(bboxOf(g), [0, 0, 9, 9]);
  assert.deepEqual(labelPoint(g), [7, 7], 'the centroid of the largest part');
});

test('grid properties from GeoJSON and from flattened vector tiles read the same', () => {
  const cases = [
    { name: 'geojson', p: { code: 'g', households: 450, leader: { name: '张三', phone: '1' }, vacant: false, community: { code: 'c', name: 'C' } } },
    { name: 'mvt, JSON strings', p: { code: 'g', households: '450', leader: '{"name":"张三","phone":"1"}', vacant: 'false', community: '{"code":"c","name":"C"}' } },
  ];
  for (const c of cases) {
    const g = normGrid(c.p);
    assert.equal(g.leader.name, '张三', c.name);
    assert.equal(g.households, 450, c.name);
    assert.equal(g.vacant, false, c.name);
    assert.equal(g.community.name, 'C', c.name);
  }
});

test('a report point is read from every shape the API sends', () => {
  const cases = [
    { name: 'plain lon/lat', r: { id: 1, lon: 120.4, lat: 36.1 } },
    { name: 'feature', r: { type: 'Feature', geometry: { type: 'Point', coordinates: [120.4, 36.1] }, properties: { id: 1 } } },
    { name: 'location object', r: { id: 1, location: { lon: 120.4, lat: 36.1 } } },
  ];
  for (const c of cases) assert.deepEqual(reportPoint(c.r), [120.4, 36.1], c.name);
});
