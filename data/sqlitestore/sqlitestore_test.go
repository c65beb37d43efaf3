package sqlitestore

import (
	"path/filepath"
	"testing"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/data/storetest"
)

func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "wangge.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) data.Store { return openTemp(t) })
}

func TestContractMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) data.Store {
		s, err := Open(t.Context(), ":memory:")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if err := s.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func BenchmarkLoadDistrict(b *testing.B) {
	storetest.BenchmarkLoad(b, storetest.District, func(b *testing.B) data.Store { return openTemp(b) })
}
