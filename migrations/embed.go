package migrations

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// Dialect names a migration set: the directory holding its numbered files.
type Dialect string

// The two migration sets, one per store.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// File is one migration: Version is the number its name starts with
// ("0001_init.sql" → 1), SQL its whole text, applied in one transaction.
type File struct {
	Version int
	Name    string
	SQL     string
}

// List returns the migrations of a dialect ordered by version. Every file
// name must start with a positive number followed by "_"; versions must be
// unique.
func List(d Dialect) ([]File, error) {
	return list(files, string(d))
}

func list(fsys fs.FS, dir string) ([]File, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	var out []File
	seen := map[int]string{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migrations: %s/%s: name must start with a positive number and '_'", dir, name)
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations: %s/%s and %s share version %d", dir, name, prev, v)
		}
		seen[v] = name
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
		out = append(out, File{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}
