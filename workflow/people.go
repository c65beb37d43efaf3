package workflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wangge-dev/wangge/data"
)

// People: who holds which post. The command center (a district-wide role)
// appoints people, replaces their roles and issues their API tokens; every
// other person with an area scope may read the people holding roles within
// it (a community head sees the community's and its grids' people), which
// is how a grid's staff find their leader's phone. A person outside the
// caller's scope is data.ErrNotFound, as a case is. Appointing a grid
// leader, deputy or community head publishes a revision in the store (see
// data.Role.Routed), so routing answers name them within a second.
//
// Input rules (a *data.ValidationError otherwise): a name of 1–100
// characters without control characters; a phone of at most 32 characters
// of digits, spaces and + - ( ); at most 64 assignments, each a known role
// on an existing area of that role's level (RoleLevel), none twice. A grid
// has one leader: appointing a second is data.ErrConflict naming the
// holder, who must be relieved first (two appointments racing can both
// pass this check; the lowest person id then answers, see routing).

// Limits of a person's fields.
const (
	MaxNameRunes   = 100
	MaxPhoneLen    = 32
	MaxAssignments = 64
)

// RoleLevel is the level of the areas a role is held on: grid roles on
// grids, community roles on communities, street staff on streets, and the
// district-wide roles (command center, planner, handler) on the district.
func RoleLevel(r data.Role) data.Level {
	switch r {
	case data.RoleGridLeader, data.RoleDeputyLeader, data.RoleGridStaff, data.RoleInfoOfficer, data.RoleVolunteer:
		return data.LevelGrid
	case data.RoleCommunityHead, data.RoleCommunityStaff:
		return data.LevelCommunity
	case data.RoleStreetStaff:
		return data.LevelStreet
	}
	return data.LevelDistrict
}

// ManagesPeople reports whether actor may appoint people, change their
// roles and issue their tokens: a command_center role.
func ManagesPeople(actor *data.Person) bool {
	return actor != nil && slices.ContainsFunc(actor.Assignments, func(a data.Assignment) bool { return a.Role == data.RoleCommandCenter })
}

// People lists the people holding role on area (either "" = any) that
// actor may see, by id.
func (s *Service) People(ctx context.Context, actor *data.Person, role data.Role, area string) ([]data.Person, error) {
	if role != "" && !role.Valid() {
		return nil, &data.ValidationError{Index: -1, Field: "role", Reason: fmt.Sprintf("unknown role %q", role)}
	}
	c, err := s.peopleScope(actor)
	if err != nil {
		return nil, err
	}
	all, err := s.store.ListPeople(ctx, role, area)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(p data.Person) bool { return !c.coversPerson(&p) }), nil
}

// Person returns one person actor may see (else data.ErrNotFound).
func (s *Service) Person(ctx context.Context, actor *data.Person, id int64) (data.Person, error) {
	c, err := s.peopleScope(actor)
	if err != nil {
		return data.Person{}, err
	}
	p, err := s.store.GetPerson(ctx, id)
	if err != nil {
		return data.Person{}, err
	}
	if !c.coversPerson(&p) {
		return data.Person{}, fmt.Errorf("person %d: %w", id, data.ErrNotFound)
	}
	return p, nil
}

// AddPerson appoints a new person (command center only) and sets p.ID.
func (s *Service) AddPerson(ctx context.Context, actor *data.Person, p *data.Person) error {
	if !ManagesPeople(actor) {
		return fmt.Errorf("%w: only the command center appoints people", ErrForbidden)
	}
	p.Name = strings.TrimSpace(p.Name)
	p.Phone = strings.TrimSpace(p.Phone)
	if err := checkPersonFields(p.Name, p.Phone); err != nil {
		return err
	}
	if err := s.checkAssignments(ctx, p.Assignments); err != nil {
		return err
	}
	return s.store.AddPerson(ctx, p)
}

// SetAssignments replaces the roles of person id (command center only) and
// returns the person as stored. A command center may not remove its own
// command_center role (that could leave the district without one): the
// command-line tool can.
func (s *Service) SetAssignments(ctx context.Context, actor *data.Person, id int64, as []data.Assignment) (data.Person, error) {
	if !ManagesPeople(actor) {
		return data.Person{}, fmt.Errorf("%w: only the command center changes roles", ErrForbidden)
	}
	if err := s.checkAssignments(ctx, as); err != nil {
		return data.Person{}, err
	}
	if id == actor.ID && !slices.ContainsFunc(as, func(a data.Assignment) bool { return a.Role == data.RoleCommandCenter }) {
		return data.Person{}, fmt.Errorf("%w: this would remove your own command_center role", data.ErrConflict)
	}
	if err := s.store.SetAssignments(ctx, id, as); err != nil {
		return data.Person{}, err
	}
	return s.store.GetPerson(ctx, id)
}

// IssueTokenFor issues an API token for person id (command center only);
// see IssueToken.
func (s *Service) IssueTokenFor(ctx context.Context, actor *data.Person, id int64, label string) (string, error) {
	if !ManagesPeople(actor) {
		return "", fmt.Errorf("%w: only the command center issues tokens", ErrForbidden)
	}
	label = strings.TrimSpace(label)
	if utf8.RuneCountInString(label) > MaxNameRunes || strings.ContainsFunc(label, unicode.IsControl) {
		return "", &data.ValidationError{Index: -1, Field: "label", Reason: fmt.Sprintf("at most %d characters, no control characters", MaxNameRunes)}
	}
	return s.IssueToken(ctx, id, label)
}

// peopleScope is the coverage of actor for reading people: an area scope
// (or all); handlers and people without roles see no one.
func (s *Service) peopleScope(actor *data.Person) (Coverage, error) {
	if actor == nil {
		return Coverage{}, ErrUnauthenticated
	}
	c := s.Scope(actor)
	if !c.All && len(c.Areas) == 0 {
		return Coverage{}, fmt.Errorf("%w: this token's roles cover no area", ErrForbidden)
	}
	return c, nil
}

// coversPerson reports whether one of p's roles is on an area within the
// coverage (the area or one below it: codes of the national practice are
// prefixes of their children's).
func (c Coverage) coversPerson(p *data.Person) bool {
	if c.All {
		return true
	}
	for _, a := range p.Assignments {
		for _, code := range c.Areas {
			if strings.HasPrefix(a.AreaCode, code) {
				return true
			}
		}
	}
	return false
}

func checkPersonFields(name, phone string) error {
	if name == "" || utf8.RuneCountInString(name) > MaxNameRunes || !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) {
		return &data.ValidationError{Index: -1, Field: "name", Reason: fmt.Sprintf("required: 1–%d characters, no control characters", MaxNameRunes)}
	}
	if len(phone) > MaxPhoneLen || strings.ContainsFunc(phone, func(r rune) bool { return !strings.ContainsRune("0123456789+-() ", r) }) {
		return &data.ValidationError{Index: -1, Field: "phone", Reason: fmt.Sprintf("at most %d characters of digits, spaces and + - ( )", MaxPhoneLen)}
	}
	return nil
}

// checkAssignments checks roles, duplicates and that every area exists at
// its role's level. A grid_leader post someone else holds is refused by
// the store (its one-leader index), with data.ErrConflict naming the holder.
func (s *Service) checkAssignments(ctx context.Context, as []data.Assignment) error {
	if len(as) > MaxAssignments {
		return &data.ValidationError{Index: -1, Field: "assignments", Reason: fmt.Sprintf("%d given, at most %d", len(as), MaxAssignments)}
	}
	if err := data.CheckAssignments(-1, as); err != nil {
		return err
	}
	for i, a := range as {
		area, err := s.store.GetArea(ctx, a.AreaCode)
		if errors.Is(err, data.ErrNotFound) {
			return &data.ValidationError{Index: -1, Field: fmt.Sprintf("assignments[%d].area_code", i), Reason: fmt.Sprintf("no area %q", a.AreaCode)}
		}
		if err != nil {
			return err
		}
		if want := RoleLevel(a.Role); area.Level != want {
			return &data.ValidationError{Index: -1, Field: fmt.Sprintf("assignments[%d].area_code", i),
				Reason: fmt.Sprintf("%s is held on a %s, and %s is a %s", a.Role, want, a.AreaCode, area.Level)}
		}
	}
	return nil
}
