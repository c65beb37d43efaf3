package frontend

import "embed"

// Dist holds the built dashboard (frontend/dist): index.html, app.js, app.css
// and maplibre-gl-worker.js. index.html carries the placeholder comment
// <!--WANGGE_CONFIG--> that the server replaces with
// <script>window.WANGGE_CONFIG = {...}</script>; see Placeholder.
//
//go:embed all:dist
var Dist embed.FS

// Placeholder is the comment in dist/index.html that the server replaces with
// the runtime configuration script.
const Placeholder = "<!--WANGGE_CONFIG-->"
