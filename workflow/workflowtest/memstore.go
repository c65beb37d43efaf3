package workflowtest

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/wangge-dev/wangge/data"
)

// MemStore is an in-memory data.Store with just what package workflow uses
// (areas by code, people, tokens, buildings, categories, reports and
// events), for unit tests that need no database. Methods it does not
// implement panic. The workflow suite also runs on both real stores.
type MemStore struct {
	data.Store // nil: calling anything not implemented panics

	mu        sync.Mutex
	areas     map[string]data.Area
	people    map[int64]data.Person
	buildings []data.Building
	reports   map[int64]data.Report
	events    map[int64][]data.Event
	tokens    map[string]int64
	nextID    int64
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore {
	return &MemStore{areas: map[string]data.Area{}, people: map[int64]data.Person{}, reports: map[int64]data.Report{},
		events: map[int64][]data.Event{}, tokens: map[string]int64{}}
}

func (m *MemStore) Kind() string                      { return "mem" }
func (m *MemStore) Close() error                      { return nil }
func (m *MemStore) Migrate(ctx context.Context) error { return nil }

func (m *MemStore) Load(ctx context.Context, ds *data.Dataset) (data.Revision, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, a := range ds.Areas {
		m.areas[a.Code] = a
	}
	for i := range ds.People {
		ds.People[i].ID = int64(len(m.people) + 1)
		m.people[ds.People[i].ID] = ds.People[i]
	}
	for i := range ds.Buildings {
		ds.Buildings[i].ID = int64(len(m.buildings) + 1)
		m.buildings = append(m.buildings, ds.Buildings[i])
	}
	if len(ds.Reports) > 0 {
		return data.Revision{}, fmt.Errorf("MemStore.Load: reports not supported")
	}
	return data.Revision{ID: 1}, nil
}

func (m *MemStore) GetArea(ctx context.Context, code string) (data.Area, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.areas[code]
	if !ok {
		return a, data.ErrNotFound
	}
	return a, nil
}

func (m *MemStore) GetPerson(ctx context.Context, id int64) (data.Person, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.people[id]
	if !ok {
		return p, data.ErrNotFound
	}
	return p, nil
}

func (m *MemStore) PutToken(ctx context.Context, personID int64, hash, label string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.people[personID]; !ok {
		return data.ErrNotFound
	}
	if _, ok := m.tokens[hash]; ok {
		return data.ErrConflict
	}
	m.tokens[hash] = personID
	return nil
}

func (m *MemStore) PersonByToken(ctx context.Context, hash string) (data.Person, error) {
	m.mu.Lock()
	id, ok := m.tokens[hash]
	m.mu.Unlock()
	if !ok {
		return data.Person{}, data.ErrNotFound
	}
	return m.GetPerson(ctx, id)
}

func (m *MemStore) ListBuildings(ctx context.Context, grid string) ([]data.Building, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []data.Building
	for _, b := range m.buildings {
		if grid == "" || b.GridCode == grid {
			out = append(out, b)
		}
	}
	return out, nil
}

func (m *MemStore) Categories(ctx context.Context) ([]data.Category, error) {
	return slices.Clone(data.DefaultCategories), nil
}

func (m *MemStore) CreateReport(ctx context.Context, r *data.Report, ev data.Event) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r.IdempotencyKey != "" {
		for _, x := range m.reports {
			if x.IdempotencyKey == r.IdempotencyKey {
				*r = x
				return false, nil
			}
		}
	}
	m.nextID++
	r.ID = m.nextID
	m.reports[r.ID] = cloneReport(*r)
	ev.ReportID = r.ID
	ev.ID = int64(len(m.events[r.ID]) + 1)
	m.events[r.ID] = append(m.events[r.ID], ev)
	return true, nil
}

func (m *MemStore) CreateReports(ctx context.Context, rs []data.Report) error {
	for i := range rs {
		if _, err := m.CreateReport(ctx, &rs[i], data.Event{Kind: "created", To: rs[i].Status, At: rs[i].CreatedAt}); err != nil {
			return err
		}
	}
	return nil
}

func cloneReport(r data.Report) data.Report {
	r.MediaURLs = slices.Clone(r.MediaURLs)
	if r.ClosedAt != nil {
		t := *r.ClosedAt
		r.ClosedAt = &t
	}
	return r
}

func (m *MemStore) GetReport(ctx context.Context, id int64) (data.Report, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.reports[id]
	if !ok {
		return r, data.ErrNotFound
	}
	return cloneReport(r), nil
}

func (m *MemStore) ListReports(ctx context.Context, q data.ReportQuery) ([]data.Report, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []data.Report
	for _, r := range m.reports {
		rt := r.Routing
		switch {
		case len(q.IDs) > 0 && !slices.Contains(q.IDs, r.ID),
			len(q.Areas) > 0 && !slices.ContainsFunc(q.Areas, func(c string) bool {
				return c != "" && (c == rt.GridCode || c == rt.CommunityCode || c == rt.StreetCode || c == rt.DistrictCode)
			}),
			len(q.Status) > 0 && !slices.Contains(q.Status, r.Status),
			len(q.Category) > 0 && !slices.Contains(q.Category, r.Category),
			q.Assignee != 0 && r.AssigneeID != q.Assignee,
			q.Open && !data.OpenStatus(r.Status),
			!q.DueBefore.IsZero() && !r.DueAt.Before(q.DueBefore),
			!q.From.IsZero() && r.CreatedAt.Before(q.From),
			!q.To.IsZero() && !r.CreatedAt.Before(q.To),
			q.BBox != nil && !q.BBox.Contains(r.Location):
			continue
		}
		out = append(out, cloneReport(r))
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		return out[i].ID > out[j].ID
	})
	n := len(out)
	if q.Offset > 0 {
		out = out[min(q.Offset, len(out)):]
	}
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, n, nil
}

func (m *MemStore) UpdateReport(ctx context.Context, r *data.Report, expect data.Status, ev data.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.reports[r.ID]
	if !ok {
		return data.ErrNotFound
	}
	if cur.Status != expect {
		return data.ErrConflict
	}
	m.reports[r.ID] = cloneReport(*r)
	ev.ReportID = r.ID
	ev.ID = int64(len(m.events[r.ID]) + 1)
	m.events[r.ID] = append(m.events[r.ID], ev)
	return nil
}

func (m *MemStore) Events(ctx context.Context, id int64) ([]data.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.events[id]), nil
}

// ListAreas supports the Codes, Level and Parent filters (no BBox), by code.
func (m *MemStore) ListAreas(ctx context.Context, q data.AreaQuery) ([]data.Area, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []data.Area
	for _, a := range m.areas {
		if (len(q.Codes) > 0 && !slices.Contains(q.Codes, a.Code)) || (q.Level != "" && a.Level != q.Level) ||
			(q.Parent != "" && a.ParentCode != q.Parent) {
			continue
		}
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	n := len(out)
	if q.Offset > 0 {
		out = out[min(q.Offset, len(out)):]
	}
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, n, nil
}
