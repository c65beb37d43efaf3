package pgstore

// SQL of the store. Every value travels as a parameter; the only text put
// together at run time is the choice among the constant fragments below
// (filters) and column names taken from fixed maps.

import "github.com/wangge-dev/wangge/data"

const sqlMigrateLock = `SELECT pg_advisory_lock(hashtext('wangge_migrate/' || $1::text))`
const sqlMigrateUnlock = `SELECT pg_advisory_unlock(hashtext('wangge_migrate/' || $1::text))`

const sqlMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)`

const sqlSeedCategory = `INSERT INTO categories (code, name, name_en, deadline_s) VALUES ($1, $2, $3, $4)
ON CONFLICT (code) DO NOTHING`

const sqlAreaCols = `code, level, name, coalesce(parent_code, ''), ST_AsEWKB(geom), households, revision`

const sqlInsertAreas = `INSERT INTO areas (code, level, name, parent_code, geom, minx, miny, maxx, maxy, households, revision)
SELECT t.code, t.level, t.name, NULLIF(t.parent, ''), ST_GeomFromEWKB(t.g), t.minx, t.miny, t.maxx, t.maxy, t.hh, $11
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bytea[], $6::float8[], $7::float8[], $8::float8[], $9::float8[], $10::int[])
    AS t(code, level, name, parent, g, minx, miny, maxx, maxy, hh)`

const sqlInsertRevision = `INSERT INTO revisions (created_at, note) VALUES ($1, $2) RETURNING id`

const sqlSetRevisionGrids = `UPDATE revisions SET grids = (SELECT count(*) FROM areas WHERE level = 'grid') WHERE id = $1
RETURNING id, created_at, author, note, grids`

const sqlRevisionCols = `id, created_at, author, note, grids`

// sqlRecomputeHouseholds derives households bottom-up: a grid's from its
// buildings, every other area's as the sum over its children.
var sqlRecomputeHouseholds = []string{
	`UPDATE areas a SET households = coalesce((SELECT sum(b.households) FROM buildings b WHERE b.grid_code = a.code), 0)
     WHERE a.level = 'grid'`,
	`UPDATE areas a SET households = coalesce((SELECT sum(c.households) FROM areas c WHERE c.parent_code = a.code), 0)
     WHERE a.level = 'community'`,
	`UPDATE areas a SET households = coalesce((SELECT sum(c.households) FROM areas c WHERE c.parent_code = a.code), 0)
     WHERE a.level = 'street'`,
	`UPDATE areas a SET households = coalesce((SELECT sum(c.households) FROM areas c WHERE c.parent_code = a.code), 0)
     WHERE a.level = 'district'`,
}

const sqlPersonCols = `id, name, phone`

const sqlReportCols = `id, category, description, lon, lat, address, media_urls, source, reporter_id, reporter_name,
reporter_phone, status, grid_code, community_code, street_code, district_code, leader_id, match, distance_m,
routing_revision, assignee_id, duplicate_of, escalation, created_at, updated_at, due_at, closed_at,
coalesce(idempotency_key, ''), request_hash`

// reportCopyCols are the written columns of reports, in reportValues order.
var reportCopyCols = []string{"id", "category", "description", "lon", "lat", "address", "media_urls", "source",
	"reporter_id", "reporter_name", "reporter_phone", "status", "grid_code", "community_code", "street_code",
	"district_code", "leader_id", "match", "distance_m", "routing_revision", "assignee_id", "duplicate_of",
	"escalation", "created_at", "updated_at", "due_at", "closed_at", "idempotency_key", "request_hash"}

const sqlInsertReport = `INSERT INTO reports (category, description, lon, lat, address, media_urls, source,
reporter_id, reporter_name, reporter_phone, status, grid_code, community_code, street_code, district_code,
leader_id, match, distance_m, routing_revision, assignee_id, duplicate_of, escalation, created_at, updated_at,
due_at, closed_at, idempotency_key, request_hash)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
$23, $24, $25, $26, $27, $28)
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING id`

var sqlUpdateReport = `UPDATE reports SET category = $2, description = $3, lon = $4, lat = $5, address = $6,
media_urls = $7, source = $8, reporter_id = $9, reporter_name = $10, reporter_phone = $11, status = $12,
` + data.KeepNewerRouting("$", 13) + `, assignee_id = $21, duplicate_of = $22,
escalation = CASE WHEN ` + sqlEscalationRank("$23") + ` >= ` + sqlEscalationRank("escalation") + ` THEN $23 ELSE escalation END,
updated_at = $24, due_at = $25, closed_at = $26
WHERE id = $1 AND status = $27 AND assignee_id = $28
RETURNING escalation, ` + data.RoutingColumns

// sqlEscalationRank orders escalation levels in SQL as workflow does:
// none < community < street < district. UpdateReport never lowers a case's
// escalation, so a transition that read the case before the escalator
// raised it cannot undo the raise.
func sqlEscalationRank(x string) string {
	return "(CASE " + x + " WHEN 'community' THEN 1 WHEN 'street' THEN 2 WHEN 'district' THEN 3 ELSE 0 END)"
}

var eventCopyCols = []string{"report_id", "kind", "from_status", "to_status", "actor_id", "at", "reason", "data"}

const sqlInsertEvent = `INSERT INTO report_events (report_id, kind, from_status, to_status, actor_id, at, reason, data)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`

const sqlEventCols = `id, report_id, kind, from_status, to_status, actor_id, at, reason, data`

const sqlVisitCols = `id, person_id, grid_code, building_id, at, note`

// sqlAreaStats is completed by the routing column of the level (a fixed
// identifier) and reads $1 level, $2 from, $3 to, $4 now.
const sqlAreaStatsHead = `SELECT a.code, a.name,
    count(r.id) FILTER (WHERE r.created_at >= $2 AND r.created_at < $3),
    count(r.id) FILTER (WHERE r.created_at >= $2 AND r.created_at < $3 AND r.status NOT IN ('closed', 'rejected')),
    count(r.id) FILTER (WHERE r.created_at >= $2 AND r.created_at < $3 AND r.status NOT IN ('closed', 'rejected') AND r.due_at < $4),
    count(r.id) FILTER (WHERE r.status = 'closed' AND r.closed_at >= $2 AND r.closed_at < $3),
    count(r.id) FILTER (WHERE r.status = 'closed' AND r.closed_at >= $2 AND r.closed_at < $3 AND r.closed_at <= r.due_at),
    coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.closed_at - r.created_at)::float8)
        FILTER (WHERE r.status = 'closed' AND r.closed_at >= $2 AND r.closed_at < $3), 0)
FROM areas a LEFT JOIN reports r ON r.`

const sqlAreaStatsTail = ` = a.code
WHERE a.level = $1
GROUP BY a.code, a.name
ORDER BY a.code`

// routingColumn is the reports column holding the code of each level.
var routingColumn = map[string]string{
	"grid":      "grid_code",
	"community": "community_code",
	"street":    "street_code",
	"district":  "district_code",
}
