-- 0001_init: the whole wangge schema for SQLite (data/sqlitestore).
-- Geometry is WKB (lon/lat, EPSG:4326) with its exact bounding box in
-- minx..maxy; times are INTEGER microseconds since the Unix epoch (UTC).
-- Empty codes are stored as '' except areas.parent_code and
-- buildings.grid_code, which are NULL when empty (they are foreign keys).

CREATE TABLE revisions (
    id         INTEGER PRIMARY KEY,
    created_at INTEGER NOT NULL,
    author     TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    grids      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE areas (
    code        TEXT PRIMARY KEY,
    level       TEXT NOT NULL CHECK (level IN ('district', 'street', 'community', 'grid')),
    name        TEXT NOT NULL DEFAULT '',
    parent_code TEXT REFERENCES areas (code) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    geom        BLOB NOT NULL,
    minx        REAL NOT NULL,
    miny        REAL NOT NULL,
    maxx        REAL NOT NULL,
    maxy        REAL NOT NULL,
    households  INTEGER NOT NULL DEFAULT 0,
    revision    INTEGER NOT NULL REFERENCES revisions (id)
) WITHOUT ROWID;
CREATE INDEX areas_parent_idx ON areas (parent_code);
CREATE INDEX areas_level_idx ON areas (level, code);
CREATE INDEX areas_bbox_idx ON areas (minx, maxx);

CREATE TABLE buildings (
    id         INTEGER PRIMARY KEY,
    address    TEXT NOT NULL DEFAULT '',
    lon        REAL NOT NULL,
    lat        REAL NOT NULL,
    households INTEGER NOT NULL DEFAULT 0,
    grid_code  TEXT REFERENCES areas (code) ON DELETE SET NULL
);
CREATE INDEX buildings_grid_idx ON buildings (grid_code);

CREATE TABLE people (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT ''
);

CREATE TABLE assignments (
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    pos       INTEGER NOT NULL,
    role      TEXT NOT NULL,
    area_code TEXT NOT NULL,
    PRIMARY KEY (person_id, role, area_code)
) WITHOUT ROWID;
CREATE INDEX assignments_area_idx ON assignments (area_code, role);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    label      TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX api_tokens_person_idx ON api_tokens (person_id);

CREATE TABLE categories (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    name_en    TEXT NOT NULL DEFAULT '',
    deadline_s INTEGER NOT NULL
);

CREATE TABLE reports (
    id               INTEGER PRIMARY KEY,
    category         TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    lon              REAL NOT NULL,
    lat              REAL NOT NULL,
    address          TEXT NOT NULL DEFAULT '',
    media_urls       TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    source           TEXT NOT NULL DEFAULT '',
    reporter_id      INTEGER NOT NULL DEFAULT 0,
    reporter_name    TEXT NOT NULL DEFAULT '',
    reporter_phone   TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL,
    grid_code        TEXT NOT NULL DEFAULT '',
    community_code   TEXT NOT NULL DEFAULT '',
    street_code      TEXT NOT NULL DEFAULT '',
    district_code    TEXT NOT NULL DEFAULT '',
    leader_id        INTEGER NOT NULL DEFAULT 0,
    match            TEXT NOT NULL DEFAULT '',
    distance_m       REAL NOT NULL DEFAULT 0,
    routing_revision INTEGER NOT NULL DEFAULT 0,
    assignee_id      INTEGER NOT NULL DEFAULT 0,
    duplicate_of     INTEGER NOT NULL DEFAULT 0,
    escalation       TEXT NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    due_at           INTEGER NOT NULL,
    closed_at        INTEGER,
    idempotency_key  TEXT UNIQUE, -- NULL when not set; NULLs never collide
    request_hash     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX reports_grid_idx ON reports (grid_code);
CREATE INDEX reports_community_idx ON reports (community_code);
CREATE INDEX reports_street_idx ON reports (street_code);
CREATE INDEX reports_status_idx ON reports (status);
CREATE INDEX reports_created_idx ON reports (created_at, id);
CREATE INDEX reports_due_idx ON reports (due_at);

CREATE TABLE report_events (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL, -- no FK: events are written only with their report
    kind        TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL DEFAULT '',
    actor_id    INTEGER NOT NULL DEFAULT 0,
    at          INTEGER NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    data        TEXT -- JSON object or NULL
);
CREATE INDEX report_events_report_idx ON report_events (report_id, at, id);

CREATE TABLE visits (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL DEFAULT 0,
    grid_code   TEXT NOT NULL DEFAULT '',
    building_id INTEGER NOT NULL DEFAULT 0,
    at          INTEGER NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX visits_grid_idx ON visits (grid_code, at DESC, id DESC);
