package workflow_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports keeps workflow free of HTTP, SQL drivers and the stores: it
// may import data (and geometry), nothing below api.
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/wangge-dev/wangge/workflow").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"net/http", "database/sql", "github.com/jackc/pgx", "modernc.org/sqlite",
			"github.com/wangge-dev/wangge/api", "github.com/wangge-dev/wangge/data/pgstore", "github.com/wangge-dev/wangge/data/sqlitestore"} {
			if dep == banned || strings.HasPrefix(dep, banned+"/") {
				t.Errorf("workflow depends on %s", dep)
			}
		}
	}
}
