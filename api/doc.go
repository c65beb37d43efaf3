// Package api is wangge's HTTP interface on gorilla/mux: the JSON/GeoJSON
// API under /api/v1, Open311 GeoReport v2 under /open311/v2 (package
// api/open311), vector tiles under /tiles, health probes, and the embedded
// dashboard. Handlers return error; one adapter (errors.go) maps errors to a
// status and a JSON body {"error": {"code", "message"}} and logs the cause
// with the request id. api never imports a database driver.
package api
