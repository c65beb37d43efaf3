//go:build tools

// Package tools pins dependencies that the packages are being built around,
// so that `go mod tidy` keeps them while the code that imports them lands.
package tools

import (
	_ "github.com/gorilla/mux"
	_ "github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/paulmach/orb"
	_ "github.com/paulmach/orb/encoding/ewkb"
	_ "github.com/paulmach/orb/encoding/mvt"
	_ "github.com/paulmach/orb/geojson"
	_ "github.com/schollz/progressbar/v3"
	_ "github.com/tidwall/rtree"
	_ "modernc.org/sqlite"
)
