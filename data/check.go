package data

import "fmt"

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
	for i, p := range ds.People {
		if err := CheckAssignments(i, p.Assignments); err != nil {
			return err
		}
	}
	return nil
}
