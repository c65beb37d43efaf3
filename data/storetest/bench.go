package storetest

import (
	"testing"

	"github.com/wangge-dev/wangge/data"
)

// BenchmarkLoad measures Load of a synthetic dataset of size z into a fresh
// store from open (which is called outside the timer) per iteration.
func BenchmarkLoad(b *testing.B, z Size, open func(b *testing.B) data.Store) {
	ds := Synthetic(z, 1)
	b.ReportMetric(float64(len(ds.Reports)), "reports")
	b.ReportMetric(float64(len(ds.Events)), "events")
	for b.Loop() {
		b.StopTimer()
		s := open(b)
		fresh := *ds
		fresh.People = append([]data.Person(nil), ds.People...)
		fresh.Buildings = append([]data.Building(nil), ds.Buildings...)
		fresh.Reports = append([]data.Report(nil), ds.Reports...)
		fresh.Events = append([]data.Event(nil), ds.Events...)
		b.StartTimer()
		if _, err := s.Load(b.Context(), &fresh); err != nil {
			b.Fatal(err)
		}
	}
}
