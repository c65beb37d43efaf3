package open311_test

import (
	"testing"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/internal/teststores"
)

// TestOpen311PostGIS runs the Open311 scenarios on pgstore (fresh schema each).
func TestOpen311PostGIS(t *testing.T) {
	runOpen311(t, func(t *testing.T) data.Store { return teststores.PostGIS(t) })
}

// TestOpen311SQLite runs the Open311 scenarios on sqlitestore (a fresh file each).
func TestOpen311SQLite(t *testing.T) {
	runOpen311(t, func(t *testing.T) data.Store { return teststores.SQLite(t) })
}
