package migrations

import (
	"testing"
	"testing/fstest"
)

func TestList(t *testing.T) {
	for _, d := range []Dialect{Postgres, SQLite} {
		fs, err := List(d)
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) == 0 || fs[0].Version != 1 || fs[0].SQL == "" {
			t.Fatalf("%s: %+v", d, fs)
		}
	}
	cases := []struct {
		name    string
		files   fstest.MapFS
		want    []int
		wantErr bool
	}{
		{"ordered by number", fstest.MapFS{"x/0010_b.sql": {}, "x/0002_a.sql": {}, "x/README": {}}, []int{2, 10}, false},
		{"no number", fstest.MapFS{"x/init.sql": {}}, nil, true},
		{"same version", fstest.MapFS{"x/0001_a.sql": {}, "x/1_b.sql": {}}, nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs, err := list(tc.files, "x")
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			var got []int
			for _, f := range fs {
				got = append(got, f.Version)
			}
			if !tc.wantErr && len(got) != len(tc.want) {
				t.Fatalf("versions %v, want %v", got, tc.want)
			}
			for i := range tc.want {
				if got[i] != tc.want[i] {
					t.Fatalf("versions %v, want %v", got, tc.want)
				}
			}
		})
	}
}
