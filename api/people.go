package api

import (
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/workflow"
)

// peopleRoutes: who holds which post (workflow.People). Reads for anyone
// with an area scope, within it; writes for the command center.
func (s *Server) peopleRoutes(v1 *mux.Router) {
	v1.Handle("/people", s.adapt(s.listPeople)).Methods(http.MethodGet)
	v1.Handle("/people", s.adapt(s.addPerson)).Methods(http.MethodPost)
	v1.Handle("/people/{id:[0-9]+}", s.adapt(s.getPerson)).Methods(http.MethodGet)
	v1.Handle("/people/{id:[0-9]+}/assignments", s.adapt(s.setAssignments)).Methods(http.MethodPut)
	v1.Handle("/people/{id:[0-9]+}/tokens", s.adapt(s.issueToken)).Methods(http.MethodPost)
}

// assignmentJSON is one role of a person in requests and answers.
type assignmentJSON struct {
	Role     data.Role `json:"role"`
	AreaCode string    `json:"area_code"`
}

// personIn is the body of POST /api/v1/people.
type personIn struct {
	Name        string           `json:"name"`
	Phone       string           `json:"phone"`
	Assignments []assignmentJSON `json:"assignments"`
}

func personJSON(p *data.Person) map[string]any {
	as := make([]assignmentJSON, len(p.Assignments))
	for i, a := range p.Assignments {
		as[i] = assignmentJSON{a.Role, a.AreaCode}
	}
	return map[string]any{"id": p.ID, "name": p.Name, "phone": p.Phone, "assignments": as}
}

func toAssignments(in []assignmentJSON) []data.Assignment {
	out := make([]data.Assignment, len(in))
	for i, a := range in {
		out[i] = data.Assignment{Role: a.Role, AreaCode: a.AreaCode}
	}
	return out
}

// personID is the {id} of the path; an id too large for int64 names no one.
func personID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(mux.Vars(r)["id"], 10, 64)
	if err != nil || id <= 0 {
		return 0, errStatus(http.StatusNotFound, "not_found", "no person "+mux.Vars(r)["id"])
	}
	return id, nil
}

// manager authenticates a request that only the command center may make
// (what: the message of the 403).
func (s *Server) manager(r *http.Request, what string) (*data.Person, error) {
	actor, err := s.mustActor(r)
	if err != nil {
		return nil, err
	}
	if !workflow.ManagesPeople(actor) {
		return nil, errStatus(http.StatusForbidden, "forbidden", "only the command center "+what)
	}
	return actor, nil
}

// managerOf is manager for a request on the person of the path's {id}.
func (s *Server) managerOf(r *http.Request, what string) (*data.Person, int64, error) {
	actor, err := s.manager(r, what)
	if err != nil {
		return nil, 0, err
	}
	id, err := personID(r)
	return actor, id, err
}

// listPeople serves GET /api/v1/people?role=&area=: {"people": […]}, by id.
func (s *Server) listPeople(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.mustActor(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	people, err := s.wf.People(r.Context(), actor, data.Role(q.Get("role")), q.Get("area"))
	if err != nil {
		return mapWorkflowErr(err)
	}
	out := make([]map[string]any, len(people))
	for i := range people {
		out[i] = personJSON(&people[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{"people": out})
	return nil
}

// getPerson serves GET /api/v1/people/{id}.
func (s *Server) getPerson(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.mustActor(r)
	if err != nil {
		return err
	}
	id, err := personID(r)
	if err != nil {
		return err
	}
	p, err := s.wf.Person(r.Context(), actor, id)
	if err != nil {
		return mapWorkflowErr(err)
	}
	writeJSON(w, http.StatusOK, personJSON(&p))
	return nil
}

// addPerson serves POST /api/v1/people: 201 with the person and Location.
func (s *Server) addPerson(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.manager(r, "appoints people")
	if err != nil {
		return err
	}
	var in personIn
	if err := readJSON(w, r, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	p := data.Person{Name: in.Name, Phone: in.Phone, Assignments: toAssignments(in.Assignments)}
	if err := s.wf.AddPerson(r.Context(), actor, &p); err != nil {
		return mapWorkflowErr(err)
	}
	w.Header().Set("Location", "/api/v1/people/"+strconv.FormatInt(p.ID, 10))
	writeJSON(w, http.StatusCreated, personJSON(&p))
	return nil
}

// setAssignments serves PUT /api/v1/people/{id}/assignments with
// {"assignments": […]}: the person's roles are replaced (an empty list
// relieves them of every post).
func (s *Server) setAssignments(w http.ResponseWriter, r *http.Request) error {
	actor, id, err := s.managerOf(r, "changes roles")
	if err != nil {
		return err
	}
	var in struct {
		Assignments *[]assignmentJSON `json:"assignments"`
	}
	if err := readJSON(w, r, s.cfg.MaxBodyBytes, &in); err != nil {
		return err
	}
	if in.Assignments == nil {
		return badRequest(`assignments: required (an empty list relieves the person of every role)`)
	}
	p, err := s.wf.SetAssignments(r.Context(), actor, id, toAssignments(*in.Assignments))
	if err != nil {
		return mapWorkflowErr(err)
	}
	writeJSON(w, http.StatusOK, personJSON(&p))
	return nil
}

// issueToken serves POST /api/v1/people/{id}/tokens with an optional
// {"label": "…"}: 201 {"token": "wg_…"}, shown this once (only its hash is
// stored).
func (s *Server) issueToken(w http.ResponseWriter, r *http.Request) error {
	actor, id, err := s.managerOf(r, "issues tokens")
	if err != nil {
		return err
	}
	var in struct {
		Label string `json:"label"`
	}
	if r.ContentLength != 0 {
		if err := readJSON(w, r, s.cfg.MaxBodyBytes, &in); err != nil {
			return err
		}
	}
	tok, err := s.wf.IssueTokenFor(r.Context(), actor, id, in.Label)
	if err != nil {
		return mapWorkflowErr(err)
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, map[string]any{"person_id": id, "token": tok})
	return nil
}
