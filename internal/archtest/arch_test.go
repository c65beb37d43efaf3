// Package archtest checks the direction of dependencies the design card
// fixes: cmd → api → (workflow, routing, importer …) → data → geo; geo does
// no I/O; only data/pgstore (and test helpers) import pgx; nothing imports
// cmd or api except cmd.
package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/wangge-dev/wangge"

// deps lists the packages pkg depends on (transitively, tests excluded).
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", mod+"/"+pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

func TestImportDirection(t *testing.T) {
	cases := []struct {
		pkg       string
		forbidden []string
	}{
		{"geo", []string{"net/http", "database/sql", "github.com/jackc/pgx", "modernc.org/sqlite", mod + "/data"}},
		{"data", []string{"net/http", "github.com/jackc/pgx", "modernc.org/sqlite", mod + "/api", mod + "/routing", mod + "/workflow"}},
		{"routing", []string{"net/http", "github.com/jackc/pgx", "modernc.org/sqlite", mod + "/api"}},
		{"workflow", []string{"net/http", "database/sql", "github.com/jackc/pgx", "modernc.org/sqlite", mod + "/api", mod + "/routing", mod + "/data/pgstore", mod + "/data/sqlitestore"}},
		{"api", []string{"github.com/jackc/pgx", mod + "/data/pgstore", mod + "/data/sqlitestore", mod + "/cmd"}},
		{"importer", []string{"net/http", "github.com/jackc/pgx", mod + "/api"}},
		{"demo", []string{"net/http", "github.com/jackc/pgx", "modernc.org/sqlite", mod + "/api"}},
		{"data/sqlitestore", []string{"github.com/jackc/pgx", mod + "/api"}},
		{"data/pgstore", []string{"modernc.org/sqlite", mod + "/api"}},
	}
	for _, tc := range cases {
		t.Run(tc.pkg, func(t *testing.T) {
			for _, d := range deps(t, tc.pkg) {
				for _, f := range tc.forbidden {
					if d == f || strings.HasPrefix(d, f+"/") {
						t.Errorf("%s must not depend on %s (found %s)", tc.pkg, f, d)
					}
				}
			}
		})
	}
}

// TestGeoIsPure: geo's own imports include nothing that does I/O.
func TestGeoIsPure(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{join .Imports " "}}`, mod+"/geo").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range strings.Fields(string(out)) {
		switch {
		case imp == "os", imp == "io", imp == "context", imp == "net", strings.HasPrefix(imp, "net/"),
			strings.HasPrefix(imp, "database/"), strings.HasPrefix(imp, "os/"), imp == "syscall":
			t.Errorf("geo imports %s: geo must stay pure (no I/O)", imp)
		}
	}
}
