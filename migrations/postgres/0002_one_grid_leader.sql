-- A grid has one leader (网格长): routing names them, and the API and the
-- CLI refuse a second appointment. Checking first and inserting after lets
-- two appointments racing for a vacant grid both pass; this index makes
-- the second one fail at commit instead. A database that already holds two
-- leaders for a grid stops this migration with the grid's code: relieve
-- one of them (wangge user set --id N --role …) and start the server again.
CREATE UNIQUE INDEX assignments_one_grid_leader ON assignments (area_code) WHERE role = 'grid_leader';
