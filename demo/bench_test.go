package demo

import "testing"

// BenchmarkGenerate measures Generate: the Licang default (100k reports) and
// a synthetic city of 50,000 grids (with 100k reports).
//
//	go test ./demo -run '^$' -bench Generate -benchtime 1x
func BenchmarkGenerate(b *testing.B) {
	cases := []struct {
		name string
		opts Options
	}{
		{"licang", Options{Seed: 1}},
		{"city50k", Options{Seed: 1, Grids: 50_000}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Generate(tc.opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
