package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/demo"
	"github.com/wangge-dev/wangge/workflow"
)

// runDemo loads the demo district (or a synthetic city) into the store.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", stderr)
	db := addDBFlag(fs)
	seed := fs.Int64("seed", 1, "random seed (the same seed gives the same district)")
	grids := fs.Int("grids", 0, "0: the Licang demo district; N: a synthetic city of about N grids")
	reports := fs.Int("reports", 0, "number of reports (0: about a year's worth)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *grids < 0 || *reports < 0 {
		return fmt.Errorf("--grids and --reports must not be negative")
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	t0 := time.Now()
	ds, err := demo.Generate(demo.Options{Seed: *seed, Grids: *grids, Reports: *reports, Now: time.Now()})
	if err != nil {
		return err
	}
	gen := time.Since(t0)
	rev, err := st.Load(ctx, ds)
	if err != nil {
		return err
	}
	n := 0
	for _, a := range ds.Areas {
		if a.Level == data.LevelGrid {
			n++
		}
	}
	fmt.Fprintf(stdout, "loaded %d areas (%d grids), %d buildings, %d people, %d reports as revision %d (generated in %v, loaded in %v)\n",
		len(ds.Areas), n, len(ds.Buildings), len(ds.People), len(ds.Reports), rev.ID, gen.Round(time.Millisecond), (time.Since(t0) - gen).Round(time.Millisecond))
	return nil
}

// runUser: wangge user add --name N --phone P --role ROLE:AREA [--role …]
// | user set --id ID [--role ROLE:AREA …] | user list [--role R] [--area A]
func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "list" && args[0] != "set") {
		fmt.Fprintln(stderr, "usage: wangge user add --name NAME [--phone PHONE] --role ROLE:AREA_CODE [--role …] | wangge user set --id ID [--role ROLE:AREA_CODE …] | wangge user list [--role ROLE] [--area CODE]")
		return errUsage
	}
	sub := args[0]
	fs := newFlags("user "+sub, stderr)
	db := addDBFlag(fs)
	name := fs.String("name", "", "person's name")
	phone := fs.String("phone", "", "phone number")
	var roles multiFlag
	fs.Var(&roles, "role", "ROLE:AREA_CODE, repeatable; roles: "+roleNames())
	area := fs.String("area", "", "list: only people with a role on this area")
	issue := fs.Bool("token", false, "add: also issue an API token and print it")
	id := fs.Int64("id", 0, "set: the person whose roles are replaced by the --role flags given (none: no roles)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	if sub == "list" {
		role := data.Role("")
		if len(roles) > 0 {
			role = data.Role(roles[0])
		}
		people, err := st.ListPeople(ctx, role, *area)
		if err != nil {
			return err
		}
		for _, p := range people {
			var as []string
			for _, a := range p.Assignments {
				as = append(as, string(a.Role)+":"+a.AreaCode)
			}
			fmt.Fprintf(stdout, "%d\t%s\t%s\t%s\n", p.ID, p.Name, p.Phone, strings.Join(as, ","))
		}
		return nil
	}
	var as []data.Assignment
	for _, r := range roles {
		role, code, ok := strings.Cut(r, ":")
		if !ok || !data.Role(role).Valid() || code == "" {
			return fmt.Errorf("user %s: --role %q: want ROLE:AREA_CODE with ROLE one of %s", sub, r, roleNames())
		}
		if _, err := st.GetArea(ctx, code); err != nil {
			return fmt.Errorf("user %s: --role %q: area %s: %w", sub, r, code, err)
		}
		as = append(as, data.Assignment{Role: data.Role(role), AreaCode: code})
	}
	if sub == "set" {
		if *id <= 0 {
			return fmt.Errorf("user set: --id is required")
		}
		if err := st.SetAssignments(ctx, *id, as); err != nil {
			return fmt.Errorf("user set: %w", err)
		}
		fmt.Fprintf(stdout, "person %d now holds %d roles\n", *id, len(as))
		return nil
	}
	if strings.TrimSpace(*name) == "" {
		return fmt.Errorf("user add: --name is required")
	}
	p := data.Person{Name: strings.TrimSpace(*name), Phone: *phone, Assignments: as}
	if err := st.AddPerson(ctx, &p); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "person %d added\n", p.ID)
	if *issue {
		tok, err := workflow.New(st, nil, time.Now, workflow.Config{}).IssueToken(ctx, p.ID, "cli")
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, tok)
	}
	return nil
}

// runToken: wangge token issue --person ID [--label L]
func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "issue" {
		fmt.Fprintln(stderr, "usage: wangge token issue --person ID [--label LABEL]")
		return errUsage
	}
	fs := newFlags("token issue", stderr)
	db := addDBFlag(fs)
	person := fs.Int64("person", 0, "id of the person the token acts for")
	label := fs.String("label", "cli", "what the token is for")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.GetPerson(ctx, *person); err != nil {
		return fmt.Errorf("token issue: person %d: %w", *person, err)
	}
	tok, err := workflow.New(st, nil, time.Now, workflow.Config{}).IssueToken(ctx, *person, *label)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func roleNames() string {
	var s []string
	for _, r := range data.Roles {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}
