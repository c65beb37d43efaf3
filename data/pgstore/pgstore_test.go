package pgstore

import (
	"context"
	"testing"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/data/storetest"
	"github.com/wangge-dev/wangge/internal/pgtest"
)

// testURL and freshSchema give the tests real PostGIS (see internal/pgtest).
var (
	testURL     = pgtest.URL
	freshSchema = pgtest.FreshSchema
)

func openTest(t testing.TB, u string) *Store {
	t.Helper()
	s, err := Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) data.Store {
		s := openTest(t, freshSchema(t))
		if err := s.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func BenchmarkLoadDistrict(b *testing.B) {
	storetest.BenchmarkLoad(b, storetest.District, func(b *testing.B) data.Store {
		s := openTest(b, freshSchema(b))
		if err := s.Migrate(b.Context()); err != nil {
			b.Fatal(err)
		}
		return s
	})
}
