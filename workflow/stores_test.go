package workflow_test

import (
	"testing"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/internal/teststores"
)

// TestPostGIS runs the whole workflow suite (every role against every
// action included) on pgstore, each scenario in a fresh schema.
func TestPostGIS(t *testing.T) {
	runSuite(t, openPG)
}

func openPG(t *testing.T) data.Store { return teststores.PostGIS(t) }

func openPGTB(t testing.TB) data.Store { return teststores.PostGIS(t) }

// TestSQLite runs the whole workflow suite on sqlitestore, each scenario on
// a fresh file.
func TestSQLite(t *testing.T) {
	runSuite(t, openSQLite)
}

func openSQLite(t *testing.T) data.Store { return teststores.SQLite(t) }

func openSQLiteTB(t testing.TB) data.Store { return teststores.SQLite(t) }
