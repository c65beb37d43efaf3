-- 0001_init: the whole wangge schema for PostgreSQL/PostGIS.
-- Geometry is lon/lat, EPSG:4326. Times are timestamptz (microseconds).
-- Codes, statuses and keys are text COLLATE "C": byte order, the order of the
-- SQLite store, and cheap btree comparisons whatever the database's locale.
-- Empty codes are stored as '' except areas.parent_code and
-- buildings.grid_code, which are NULL when empty (they are foreign keys).

CREATE EXTENSION IF NOT EXISTS postgis;

-- revisions: one published partition each.
CREATE TABLE revisions (
    id         bigserial PRIMARY KEY,
    created_at timestamptz NOT NULL,
    author     text NOT NULL DEFAULT '',
    note       text NOT NULL DEFAULT '',
    grids      integer NOT NULL DEFAULT 0
);

-- areas: district → street → community → grid. minx..maxy is the exact
-- (float8) bounding box of geom, used so that bbox filters give the same
-- answer as the SQLite store; geom && envelope picks candidates via GiST.
CREATE TABLE areas (
    code        text COLLATE "C" PRIMARY KEY,
    level       text COLLATE "C" NOT NULL CHECK (level IN ('district', 'street', 'community', 'grid')),
    name        text NOT NULL DEFAULT '',
    parent_code text COLLATE "C" REFERENCES areas (code) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    geom        geometry(MultiPolygon, 4326) NOT NULL,
    minx        double precision NOT NULL,
    miny        double precision NOT NULL,
    maxx        double precision NOT NULL,
    maxy        double precision NOT NULL,
    households  integer NOT NULL DEFAULT 0,
    revision    bigint NOT NULL REFERENCES revisions (id)
);
CREATE INDEX areas_geom_gix ON areas USING gist (geom);
CREATE INDEX areas_parent_idx ON areas (parent_code);
CREATE INDEX areas_level_idx ON areas (level, code);

-- buildings: household points. grid_code is cleared when its grid is removed.
CREATE TABLE buildings (
    id         bigserial PRIMARY KEY,
    address    text NOT NULL DEFAULT '',
    lon        double precision NOT NULL,
    lat        double precision NOT NULL,
    geom       geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED,
    households integer NOT NULL DEFAULT 0,
    grid_code  text COLLATE "C" REFERENCES areas (code) ON DELETE SET NULL
);
CREATE INDEX buildings_grid_idx ON buildings (grid_code);
CREATE INDEX buildings_geom_gix ON buildings USING gist (geom);

-- people and their roles. Assignments do not reference areas: a role
-- survives a redraw that replaces the partition.
CREATE TABLE people (
    id    bigserial PRIMARY KEY,
    name  text NOT NULL DEFAULT '',
    phone text NOT NULL DEFAULT ''
);

CREATE TABLE assignments (
    person_id bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    pos       integer NOT NULL,
    role      text COLLATE "C" NOT NULL,
    area_code text COLLATE "C" NOT NULL,
    PRIMARY KEY (person_id, role, area_code)
);
CREATE INDEX assignments_area_idx ON assignments (area_code, role);

-- api_tokens: SHA-256 hex of each token, never the token.
CREATE TABLE api_tokens (
    token_hash text COLLATE "C" PRIMARY KEY,
    person_id  bigint NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    label      text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_tokens_person_idx ON api_tokens (person_id);

-- categories: seeded with data.DefaultCategories by the store's Migrate.
CREATE TABLE categories (
    code       text COLLATE "C" PRIMARY KEY,
    name       text NOT NULL,
    name_en    text NOT NULL DEFAULT '',
    deadline_s bigint NOT NULL
);

-- reports: cases. The routing answer is stored as columns; geom is derived
-- from lon/lat so the two can never disagree.
CREATE TABLE reports (
    id               bigserial PRIMARY KEY,
    category         text COLLATE "C" NOT NULL,
    description      text NOT NULL DEFAULT '',
    lon              double precision NOT NULL,
    lat              double precision NOT NULL,
    geom             geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED,
    address          text NOT NULL DEFAULT '',
    media_urls       text[] NOT NULL DEFAULT '{}',
    source           text NOT NULL DEFAULT '',
    reporter_id      bigint NOT NULL DEFAULT 0,
    reporter_name    text NOT NULL DEFAULT '',
    reporter_phone   text NOT NULL DEFAULT '',
    status           text COLLATE "C" NOT NULL,
    grid_code        text COLLATE "C" NOT NULL DEFAULT '',
    community_code   text COLLATE "C" NOT NULL DEFAULT '',
    street_code      text COLLATE "C" NOT NULL DEFAULT '',
    district_code    text COLLATE "C" NOT NULL DEFAULT '',
    leader_id        bigint NOT NULL DEFAULT 0,
    match            text NOT NULL DEFAULT '',
    distance_m       double precision NOT NULL DEFAULT 0,
    routing_revision bigint NOT NULL DEFAULT 0,
    assignee_id      bigint NOT NULL DEFAULT 0,
    duplicate_of     bigint NOT NULL DEFAULT 0,
    escalation       text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    due_at           timestamptz NOT NULL,
    closed_at        timestamptz,
    idempotency_key  text COLLATE "C" UNIQUE, -- NULL when not set; NULLs never collide
    request_hash     text NOT NULL DEFAULT ''
);
CREATE INDEX reports_geom_gix ON reports USING gist (geom);
CREATE INDEX reports_grid_idx ON reports (grid_code);
CREATE INDEX reports_community_idx ON reports (community_code);
CREATE INDEX reports_street_idx ON reports (street_code);
CREATE INDEX reports_status_idx ON reports (status);
CREATE INDEX reports_created_idx ON reports (created_at, id);
CREATE INDEX reports_due_idx ON reports (due_at);

-- report_events: each case's log.
CREATE TABLE report_events (
    id          bigserial PRIMARY KEY,
    report_id   bigint NOT NULL, -- no FK: checked by the store; COPY of 400k events pays per-row RI triggers
    kind        text COLLATE "C" NOT NULL,
    from_status text NOT NULL DEFAULT '',
    to_status   text NOT NULL DEFAULT '',
    actor_id    bigint NOT NULL DEFAULT 0,
    at          timestamptz NOT NULL,
    reason      text NOT NULL DEFAULT '',
    data        jsonb
);
CREATE INDEX report_events_report_idx ON report_events (report_id, at, id);

-- visits: household visits by grid staff.
CREATE TABLE visits (
    id          bigserial PRIMARY KEY,
    person_id   bigint NOT NULL DEFAULT 0,
    grid_code   text COLLATE "C" NOT NULL DEFAULT '',
    building_id bigint NOT NULL DEFAULT 0,
    at          timestamptz NOT NULL,
    note        text NOT NULL DEFAULT ''
);
CREATE INDEX visits_grid_idx ON visits (grid_code, at DESC, id DESC);
