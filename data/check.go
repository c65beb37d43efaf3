package data

import (
	"context"
	"fmt"

	"github.com/paulmach/orb"
)

// CheckAssignments checks a person's assignments before a store writes
// them: every role known, no (role, area) pair twice. index is the
// person's position in a batch, or -1. Area codes are checked by the
// store's foreign key.
func CheckAssignments(index int, as []Assignment) error {
	seen := make(map[Assignment]bool, len(as))
	for _, a := range as {
		if !a.Role.Valid() {
			return &ValidationError{Index: index, Field: "role", Reason: fmt.Sprintf("unknown role %q", a.Role)}
		}
		if seen[a] {
			return &ValidationError{Index: index, Field: "assignments", Reason: fmt.Sprintf("role %s on %s given twice", a.Role, a.AreaCode)}
		}
		seen[a] = true
	}
	return nil
}

// CheckRefs checks what a store cannot check with its own constraints
// before a Load: every event refers to a report of the dataset by
// position+1, and every person's assignments pass CheckAssignments.
func (ds *Dataset) CheckRefs() error {
	for j, e := range ds.Events {
		if e.ReportID < 1 || e.ReportID > int64(len(ds.Reports)) {
			return &ValidationError{Index: j, Field: "report_id",
				Reason: fmt.Sprintf("event refers to report %d of %d", e.ReportID, len(ds.Reports))}
		}
	}
	leader := map[string]int{}
	for i, p := range ds.People {
		if err := CheckAssignments(i, p.Assignments); err != nil {
			return err
		}
		for _, a := range p.Assignments {
			if a.Role != RoleGridLeader {
				continue
			}
			if j, ok := leader[a.AreaCode]; ok {
				return &ValidationError{Index: i, Field: "assignments",
					Reason: fmt.Sprintf("grid %s already has a leader, person %d of the dataset", a.AreaCode, j)}
			}
			leader[a.AreaCode] = i
		}
	}
	return nil
}

// LeaderTaken is the error for appointing a second leader to grid area,
// which holder leads: a grid has one leader.
func LeaderTaken(area string, holder Person) error {
	return fmt.Errorf("%w: grid %s already has a leader, %s (person %d); relieve them first", ErrConflict, area, holder.Name, holder.ID)
}

// ExplainLeaderConflict names, for a write of person id's assignments as
// that the one-leader-per-grid constraint refused, a grid of as whose
// leader is someone else (LeaderTaken); stores call it after the failed
// transaction. When no such leader is found any more, the error says so
// without a name.
func ExplainLeaderConflict(ctx context.Context, s interface {
	ListPeople(ctx context.Context, role Role, areaCode string) ([]Person, error)
}, id int64, as []Assignment) error {
	for _, a := range as {
		if a.Role != RoleGridLeader {
			continue
		}
		holders, err := s.ListPeople(ctx, RoleGridLeader, a.AreaCode)
		if err != nil {
			continue
		}
		for _, h := range holders {
			if h.ID != id {
				return LeaderTaken(a.AreaCode, h)
			}
		}
	}
	return fmt.Errorf("%w: a grid given already has a leader", ErrConflict)
}

// PlanRelink is the store-independent half of RelinkBuildings: it sets each
// building of all (id, point and stored grid code) to gridOf(its point)
// and returns the positions whose row must be written and how many
// changed grid. With cleared, every stored link was removed since all was
// read (a replacing PutAreas), so every building in a grid is written.
// Afterwards all[i].GridCode is the new code for the positions to write and
// "" for the others, ready for the store's check of the codes.
func PlanRelink(all []Building, gridOf func(pt orb.Point) string, cleared bool) (write []int, moved int) {
	for i := range all {
		code := gridOf(all[i].Point)
		if code != all[i].GridCode {
			moved++
		}
		if code != all[i].GridCode || cleared && code != "" {
			all[i].GridCode = code
			write = append(write, i)
		} else {
			all[i].GridCode = "" // already checked when stored
		}
	}
	return write, moved
}
