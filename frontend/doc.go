// Package frontend embeds the command-center map dashboard built from
// frontend/src into frontend/dist (by `node build.mjs`), so that the wangge
// binary serves it with no Node.js at run time.
//
// The dashboard is a MapLibre GL page with no external basemap: grid
// partitions coloured by household band (under 300 / 300–600 / over 600),
// street and community outlines, an incident heatmap with time and category
// filters, live reports over server-sent events and a side panel of figures.
// It talks only to the wangge server's /api/v1 and /tiles endpoints.
//
// The runtime configuration the server injects in place of Placeholder is
//
//	window.WANGGE_CONFIG = {apiBase, token, basemap, lang, attribution, gridSource}
//
// where apiBase is the URL prefix of the API ("" for the same origin), token
// a bearer token or "", basemap a MapLibre style URL or an XYZ raster
// template ({z}/{x}/{y}) or "", lang "zh" or "en", attribution the credit
// shown on the map, and gridSource "geojson" or "mvt".
package frontend
