// Package demo generates the demo dataset wangge seeds an empty store with:
// Licang District (李沧区, Qingdao, division code 370213) or, with
// Options.Grids > 0, a synthetic large city.
//
// # What Licang holds
//
//   - The district and its 11 real streets (街道) from OpenStreetMap
//     (© OpenStreetMap contributors, ODbL 1.0; embedded as
//     licang_osm.geojson, see README.md), codes 370213001 … 370213011 in the
//     order 九水, 浮山路, 李村, 振华路, 沧口, 世园, 湘潭路, 虎山路, 楼山, 兴城路, 兴华路.
//   - 121 communities (社区, allocated to streets by the mean of their area
//     and household shares) and about 1,500 grids (网格). Codes are
//     hierarchical: 6 digits of district, then 3 each of street, community
//     and grid (a grid code has 15 digits and begins with its community's 12).
//   - About 600,000 households in about 10,000 building points clustered in
//     housing compounds (walk-ups, high-rises, urban villages, dormitories),
//     with parks and hills left empty; most grids hold 300–600 households, some
//     fewer and some more, as on the dashboard's three bands.
//   - A staff roster, a year of reports (DefaultReports) with their events,
//     and household visits by grid staff over the last 60 days.
//
// Communities, grids, buildings, names, people and reports are invented.
//
// # Geometry: an exact partition by construction
//
// All geometry is lon/lat, EPSG:4326. A lattice of jittered quads of about
// 50 m (cellMetres) is laid over the district; each vertex is computed once,
// so neighbouring cells share bit-identical vertices. A cell belongs to the
// district when its centre lies in the OSM district polygon (only the largest
// 4-connected piece is kept), and to the street whose OSM polygon contains
// its centre (cells in no street go to the nearest street; streets are made
// 4-connected). So the street and district outlines follow the real OSM
// outlines at about 50 m resolution, not exactly. Communities are grown
// inside streets and grids inside communities by region growing from seeds,
// balancing households, then boundary cells are traded to bring grids into
// the 300–600 band. A few grids get a detached piece (a MultiPolygon) and a
// few get a hole filled by an enclave grid (a school or factory compound).
//
// Every area — grid, community, street, district — is the union of its
// cells, traced from the cell edges it does not share with itself. Hence:
// the grids of a community partition it exactly (no gap, no overlap, every
// shared edge made of the same vertices), and likewise communities a street
// and streets the district; PostGIS ST_Union of the children ST_Equals the
// parent. Rings are OGC-valid (no ring passes a vertex twice; a hole may
// touch its shell, and two polygons of one grid may touch, at single points)
// and oriented as RFC 7946 asks (shells counter-clockwise, holes clockwise).
// Each building lies strictly inside one cell, at least a fifth of a cell
// from its edges, and Building.GridCode names that cell's grid.
//
// # IDs by position
//
// People, buildings, reports and events carry ID 0: the store assigns IDs.
// References use positions, as data.Dataset documents: Dataset.People[i]
// becomes person i+1 when loaded into an empty store, so ReporterID,
// AssigneeID, Routing.LeaderID, Event.ActorID and Visit.PersonID hold
// position+1; Event.ReportID and DuplicateOf are a report's position in
// Dataset.Reports + 1, Visit.BuildingID a building's position + 1. Reports
// are in order of creation.
//
// # The closed loop in the demo
//
// Every report starts with a "created" event (status reported). About 1% are
// rejected as invalid and about 1.5% are repeats of an earlier report,
// rejected as duplicates (DuplicateOf set). The others are accepted and
// dispatched to a handling department in one step by the command center
// (event "dispatched", Data department and assignee), handled by the handler
// ("handled", Data feedback), then verified on site by the grid's staff, who
// close the case ("closed") or, in about 3% of cases, send it back
// ("dispatched" again, then "handled" and "closed"). A case still open past
// DueAt (CreatedAt + the category's deadline) escalates to the community, and
// after a second deadline to the street ("escalated" events, From = To, Data
// level). Events after Options.Now are not emitted, so the latest cases are
// still open. Routing is filled as the router would: grid, community, street,
// district, LeaderID (the grid leader, else the deputy, else the community
// head), Match "inside", Revision 0.
//
// # The synthetic city
//
// Options.Grids = N lays a blob-shaped city of about 22 cells per requested
// grid around 120.0°E 36.3°N, cut into districts of about 1,500 grids (codes
// 370201, 370202, …), each into about 11 streets, with communities of about
// 5,000 households; households, staff and hot spots scale with it.
package demo
