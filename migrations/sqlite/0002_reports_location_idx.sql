-- Intake looks for duplicates of a new report: open cases of its category
-- within a few tens of metres (a small lon/lat box) and a time window.
-- Without an index on the location that search scans every recent report,
-- and intake slows down as the table grows (seen at ~140 reports/s after
-- 10,000 recent reports). PostGIS has the GiST index on reports.geom.
CREATE INDEX reports_lat_lon_idx ON reports (lat, lon);
