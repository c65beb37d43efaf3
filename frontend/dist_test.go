package frontend

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestDistHasPlaceholder checks the embedded index.html carries the comment
// the server replaces with the runtime configuration, and the files it loads.
func TestDistHasPlaceholder(t *testing.T) {
	for _, name := range []string{"index.html", "app.js", "app.css", "maplibre-gl-worker.js"} {
		t.Run(name, func(t *testing.T) {
			b, err := fs.ReadFile(Dist, "dist/"+name)
			if err != nil {
				t.Fatalf("embedded dist lacks %s: %v", name, err)
			}
			if len(b) == 0 {
				t.Fatalf("dist/%s is empty", name)
			}
			if name == "index.html" && !bytes.Contains(b, []byte(Placeholder)) {
				t.Fatalf("dist/index.html lacks %s", Placeholder)
			}
		})
	}
}

// TestDistMatchesSources rebuilds the dashboard from the committed sources
// (npm ci && node build.mjs in a temporary copy) and checks the committed
// dist/ is byte-identical, so the binary never embeds a stale build.
// Without node/npm it skips, unless CI is set.
func TestDistMatchesSources(t *testing.T) {
	if testing.Short() {
		t.Skip("rebuild skipped in -short mode")
	}
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s not found: CI must rebuild the dashboard", tool)
			}
			t.Skipf("%s not found", tool)
		}
	}
	tmp := t.TempDir()
	for _, p := range []string{"package.json", "package-lock.json", "build.mjs", "src"} {
		if err := copyTree(p, filepath.Join(tmp, p)); err != nil {
			t.Fatal(err)
		}
	}
	run := func(name string, args ...string) {
		cmd := exec.Command(name, args...)
		cmd.Dir = tmp
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
	}
	run("npm", "ci", "--no-audit", "--no-fund", "--prefer-offline")
	run("node", "build.mjs", filepath.Join(tmp, "dist"))

	want := listFiles(t, filepath.Join(tmp, "dist"))
	got := listFiles(t, "dist")
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("committed dist has files %v, a fresh build has %v: run `node build.mjs` in frontend/ and commit dist", got, want)
	}
	for _, name := range want {
		a, err := os.ReadFile(filepath.Join("dist", name))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(tmp, "dist", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("dist/%s differs from a fresh build (%d vs %d bytes): run `node build.mjs` in frontend/ and commit dist", name, len(a), len(b))
		}
	}
}

func listFiles(t *testing.T, root string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		names = append(names, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	return names
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}
