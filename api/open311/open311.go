package open311

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/workflow"
)

// Spec is the specification URL named in discovery.
const Spec = "http://wiki.open311.org/GeoReport_v2"

// Options configure the handler. Zero values take the defaults named.
type Options struct {
	// PublicKey is an api_key that files requests as the public (no
	// person); "" = only personal tokens are accepted.
	PublicKey string
	// Jurisdiction, when set, is the only jurisdiction_id accepted (an
	// absent jurisdiction_id is always accepted).
	Jurisdiction string
	// BaseURL is the absolute URL of the endpoint as clients reach it, e.g.
	// https://wangge.example.org/open311/v2/ (named in discovery).
	BaseURL string
	// Contact and KeyService are the discovery file's texts.
	Contact    string
	KeyService string
	// Changeset is the discovery changeset time; default: when New ran.
	Changeset time.Time
	// Location is the time zone of datetimes; default a fixed +08:00.
	Location *time.Location
	// English selects English service names and notices; default Chinese.
	English bool
	// MaxBody bounds a POST body in bytes; default 1 MiB (media are URLs).
	MaxBody int64
	Logger  *slog.Logger
}

// MaxRequests is the most requests one GET requests answers.
const MaxRequests = 1000

// Window is the longest (and the default) start_date–end_date span.
const Window = 90 * 24 * time.Hour

type handler struct {
	svc  *workflow.Service
	opts Options
}

// New returns the Open311 GeoReport v2 handler over svc.
func New(svc *workflow.Service, opts Options) http.Handler {
	if opts.Location == nil {
		opts.Location = time.FixedZone("+08:00", 8*3600)
	}
	if opts.Changeset.IsZero() {
		opts.Changeset = svc.Now()
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 1 << 20
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &handler{svc: svc, opts: opts}
}

// apiError is an error answered in the spec's format.
type apiError struct {
	Code        int    `json:"code" xml:"code"`
	Description string `json:"description" xml:"description"`
}

func (e *apiError) Error() string { return e.Description }

func fail(code int, format string, args ...any) *apiError {
	return &apiError{Code: code, Description: fmt.Sprintf(format, args...)}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimPrefix(r.URL.Path, "/open311/v2")
	p = strings.TrimPrefix(p, "/")
	format := "json"
	switch {
	case strings.HasSuffix(p, ".json"):
		p = strings.TrimSuffix(p, ".json")
	case strings.HasSuffix(p, ".xml"):
		p, format = strings.TrimSuffix(p, ".xml"), "xml"
	default:
		h.write(w, format, nil, fail(http.StatusNotFound, "unknown resource %q: use a .json or .xml resource", "/"+p))
		return
	}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, h.opts.MaxBody)
	}
	body, err := h.route(r, p)
	if err == nil {
		h.write(w, format, body, nil)
		return
	}
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = h.translate(r, err)
	}
	h.write(w, format, nil, ae)
}

func (h *handler) route(r *http.Request, p string) (any, error) {
	parts := strings.Split(p, "/")
	get := r.Method == http.MethodGet || r.Method == http.MethodHead
	if get {
		if err := h.checkJurisdiction(r); err != nil {
			return nil, err
		}
	}
	switch {
	case p == "discovery" && get:
		return h.discovery(), nil
	case p == "services" && get:
		return h.services(r.Context())
	case len(parts) == 2 && parts[0] == "services" && get:
		return h.serviceDefinition(r.Context(), parts[1])
	case p == "requests" && get:
		return h.listRequests(r)
	case p == "requests" && r.Method == http.MethodPost:
		return h.postRequest(r)
	case len(parts) == 2 && parts[0] == "requests" && get:
		return h.getRequest(r.Context(), parts[1])
	case len(parts) == 2 && parts[0] == "tokens" && get:
		return nil, fail(http.StatusNotFound, "token %q not found: requests are created in real time and answer with their service_request_id", parts[1])
	case p == "discovery" || p == "services" || p == "requests" || len(parts) == 2 && slices.Contains([]string{"services", "requests", "tokens"}, parts[0]):
		return nil, fail(http.StatusMethodNotAllowed, "method %s not allowed on %s", r.Method, "/"+p)
	}
	return nil, fail(http.StatusNotFound, "unknown resource %q", "/"+p)
}

func (h *handler) checkJurisdiction(r *http.Request) error {
	j := r.URL.Query().Get("jurisdiction_id")
	if r.PostForm != nil && r.PostForm.Get("jurisdiction_id") != "" {
		j = r.PostForm.Get("jurisdiction_id")
	}
	if j != "" && h.opts.Jurisdiction != "" && j != h.opts.Jurisdiction {
		return fail(http.StatusNotFound, "jurisdiction_id %q not found", j)
	}
	return nil
}

// translate maps workflow/data errors to the spec's codes, hiding internals.
func (h *handler) translate(r *http.Request, err error) *apiError {
	var ve *data.ValidationError
	switch {
	case errors.As(err, &ve):
		return fail(http.StatusBadRequest, "%s", ve.Error())
	case errors.Is(err, workflow.ErrUnauthenticated):
		return fail(http.StatusForbidden, "invalid api_key")
	case errors.Is(err, workflow.ErrForbidden):
		return fail(http.StatusForbidden, "forbidden")
	case errors.Is(err, workflow.ErrIdempotencyMismatch):
		return fail(http.StatusUnprocessableEntity, "Idempotency-Key reused with a different request")
	case errors.Is(err, data.ErrNotFound):
		return fail(http.StatusNotFound, "not found")
	case errors.Is(err, data.ErrInvalid):
		return fail(http.StatusBadRequest, "%s", err.Error())
	case errors.Is(err, data.ErrConflict):
		return fail(http.StatusConflict, "conflict")
	}
	h.opts.Logger.Error("open311", "method", r.Method, "path", r.URL.Path, "err", err)
	return fail(http.StatusInternalServerError, "internal error")
}

// write encodes body (or the error as a one-element list) in format.
func (h *handler) write(w http.ResponseWriter, format string, body any, e *apiError) {
	status := http.StatusOK
	if e != nil {
		status = e.Code
		if format == "xml" {
			body = xmlErrors{Errors: []apiError{*e}}
		} else {
			body = []apiError{*e}
		}
	}
	if format == "xml" {
		if x, ok := body.(interface{ xmlBody() any }); ok {
			body = x.xmlBody()
		}
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(xml.Header))
		enc := xml.NewEncoder(w)
		enc.Indent("", "  ")
		if err := enc.Encode(body); err != nil {
			h.opts.Logger.Error("open311: xml", "err", err)
		}
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		h.opts.Logger.Error("open311: json", "err", err)
	}
}

type xmlErrors struct {
	XMLName xml.Name   `xml:"errors"`
	Errors  []apiError `xml:"error"`
}

// ---- discovery ----

// Discovery is the service discovery document.
type Discovery struct {
	XMLName    xml.Name   `json:"-" xml:"discovery"`
	Changeset  string     `json:"changeset" xml:"changeset"`
	Contact    string     `json:"contact" xml:"contact"`
	KeyService string     `json:"key_service" xml:"key_service"`
	Endpoints  []Endpoint `json:"endpoints" xml:"endpoints>endpoint"`
}

// Endpoint is one API endpoint of the discovery document.
type Endpoint struct {
	Specification string   `json:"specification" xml:"specification"`
	URL           string   `json:"url" xml:"url"`
	Changeset     string   `json:"changeset" xml:"changeset"`
	Type          string   `json:"type" xml:"type"`
	Formats       []string `json:"formats" xml:"formats>format"`
}

func (h *handler) discovery() Discovery {
	cs := h.ts(h.opts.Changeset)
	return Discovery{Changeset: cs, Contact: h.opts.Contact, KeyService: h.opts.KeyService,
		Endpoints: []Endpoint{{Specification: Spec, URL: h.opts.BaseURL, Changeset: cs, Type: "production",
			Formats: []string{"text/xml", "application/json"}}}}
}

// ---- services ----

// Service is one service (a report category).
type Service struct {
	ServiceCode string `json:"service_code" xml:"service_code"`
	ServiceName string `json:"service_name" xml:"service_name"`
	Description string `json:"description" xml:"description"`
	Metadata    bool   `json:"metadata" xml:"metadata"`
	Type        string `json:"type" xml:"type"`
	Keywords    string `json:"keywords" xml:"keywords"`
	Group       string `json:"group" xml:"group"`
}

type serviceList []Service

func (l serviceList) xmlBody() any {
	return struct {
		XMLName  xml.Name  `xml:"services"`
		Services []Service `xml:"service"`
	}{Services: l}
}

// groups puts the default categories in groups (others: "other").
var groups = map[string][2]string{
	"population_change":   {"人口", "population"},
	"floating_population": {"人口", "population"},
	"facility_damage":     {"设施", "facilities"},
	"fire_equipment":      {"安全", "safety"},
	"safety_hazard":       {"安全", "safety"},
	"neighbour_dispute":   {"民生", "community"},
	"resident_request":    {"民生", "community"},
}

func (h *handler) service(c data.Category) Service {
	g, ok := groups[c.Code]
	if !ok {
		g = [2]string{"其他", "other"}
	}
	hours := int(c.Deadline / time.Hour)
	s := Service{ServiceCode: c.Code, ServiceName: c.Name, Metadata: false, Type: "realtime",
		Keywords: c.Name + ", " + c.NameEN, Group: g[0],
		Description: fmt.Sprintf("%s（%s），处置时限 %d 小时", c.Name, c.NameEN, hours)}
	if h.opts.English {
		s.ServiceName, s.Group = c.NameEN, g[1]
		s.Description = fmt.Sprintf("%s (%s); to be closed within %d hours", c.NameEN, c.Name, hours)
	}
	return s
}

func (h *handler) services(ctx context.Context) (any, error) {
	cats, err := h.svc.Categories(ctx)
	if err != nil {
		return nil, err
	}
	out := make(serviceList, 0, len(cats))
	for _, c := range cats {
		out = append(out, h.service(c))
	}
	return out, nil
}

// ServiceDefinition is the definition of a service; ours have no attributes.
type ServiceDefinition struct {
	XMLName     xml.Name `json:"-" xml:"service_definition"`
	ServiceCode string   `json:"service_code" xml:"service_code"`
	Attributes  []any    `json:"attributes" xml:"attributes"`
}

func (h *handler) serviceDefinition(ctx context.Context, code string) (any, error) {
	if _, err := h.svc.Category(ctx, code); err != nil {
		if errors.Is(err, data.ErrNotFound) {
			return nil, fail(http.StatusNotFound, "service_code %q not found", code)
		}
		return nil, err
	}
	return ServiceDefinition{ServiceCode: code, Attributes: []any{}}, nil
}

// ---- requests ----

// Request is one service request as the spec shows it.
type Request struct {
	ServiceRequestID  int64   `json:"service_request_id" xml:"service_request_id"`
	Status            string  `json:"status" xml:"status"`
	StatusNotes       string  `json:"status_notes" xml:"status_notes"`
	ServiceName       string  `json:"service_name" xml:"service_name"`
	ServiceCode       string  `json:"service_code" xml:"service_code"`
	Description       string  `json:"description" xml:"description"`
	AgencyResponsible string  `json:"agency_responsible" xml:"agency_responsible"`
	ServiceNotice     string  `json:"service_notice" xml:"service_notice"`
	RequestedDatetime string  `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   string  `json:"updated_datetime" xml:"updated_datetime"`
	ExpectedDatetime  string  `json:"expected_datetime" xml:"expected_datetime"`
	Address           string  `json:"address" xml:"address"`
	Lat               float64 `json:"lat" xml:"lat"`
	Long              float64 `json:"long" xml:"long"`
	MediaURL          string  `json:"media_url" xml:"media_url"`
}

type requestList []Request

func (l requestList) xmlBody() any {
	return struct {
		XMLName  xml.Name  `xml:"service_requests"`
		Requests []Request `xml:"request"`
	}{Requests: l}
}

// Created is the answer to POST requests.
type Created struct {
	ServiceRequestID int64   `json:"service_request_id" xml:"service_request_id"`
	ServiceNotice    string  `json:"service_notice" xml:"service_notice"`
	AccountID        *string `json:"account_id" xml:"account_id"`
}

type createdList []Created

func (l createdList) xmlBody() any {
	return struct {
		XMLName  xml.Name  `xml:"service_requests"`
		Requests []Created `xml:"request"`
	}{Requests: l}
}

func (h *handler) ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(h.opts.Location).Format(time.RFC3339)
}

func (h *handler) text(zh, en string) string {
	if h.opts.English {
		return en
	}
	return zh
}

var stageZH = map[data.Status]string{
	data.StatusReported: "已受理登记", data.StatusAccepted: "已立案", data.StatusRejected: "不予立案",
	data.StatusDispatched: "已派遣处置", data.StatusHandled: "已处置，待核查", data.StatusVerified: "已核查，待结案",
	data.StatusClosed: "已结案",
}

// statusNotes names the stage of the case, then the note given with the
// step that reached it (reason, from the public event log), the original
// of a duplicate and an escalation.
func (h *handler) statusNotes(r *data.Report, reason string) string {
	note := h.text(stageZH[r.Status], string(r.Status))
	if reason != "" && r.DuplicateOf == 0 {
		note += h.text("："+reason, ": "+reason)
	}
	if r.DuplicateOf != 0 {
		if r.Status == data.StatusRejected {
			note = h.text(fmt.Sprintf("与第 %d 号重复", r.DuplicateOf), fmt.Sprintf("duplicate of request %d", r.DuplicateOf))
		} else {
			note += h.text(fmt.Sprintf("；可能与第 %d 号重复", r.DuplicateOf), fmt.Sprintf("; possible duplicate of request %d", r.DuplicateOf))
		}
	}
	if r.Escalation != "" && data.OpenStatus(r.Status) {
		note += h.text("；已超期，上报至"+levelZH[r.Escalation], "; overdue, escalated to "+string(r.Escalation))
	}
	return note
}

// stepReason is the note given with the step that brought the case to its
// current status ("" when none): the reason of a rejection, a note with a
// dispatch or a closure. evs is the case's public event log.
func stepReason(r *data.Report, evs []data.Event) string {
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].To == r.Status && evs[i].Kind != "created" {
			return evs[i].Reason
		}
	}
	return ""
}

var levelZH = map[data.Level]string{data.LevelDistrict: "区", data.LevelStreet: "街道", data.LevelCommunity: "社区", data.LevelGrid: "网格"}

func (h *handler) notice(r *data.Report) string {
	if r.DuplicateOf != 0 {
		return h.text(fmt.Sprintf("附近已有同类问题（第 %d 号），将一并处理", r.DuplicateOf),
			fmt.Sprintf("a request of this kind nearby (%d) is already open; they will be handled together", r.DuplicateOf))
	}
	return h.text("预计办结时间 "+h.ts(r.DueAt), "expected to be closed by "+h.ts(r.DueAt))
}

// names returns area names for the codes the reports were routed to.
func (h *handler) names(ctx context.Context, rs []data.Report) (map[string]string, error) {
	var codes []string
	for i := range rs {
		codes = append(codes, rs[i].Routing.StreetCode, rs[i].Routing.CommunityCode, rs[i].Routing.DistrictCode)
	}
	slices.Sort(codes)
	codes = slices.Compact(codes)
	codes = slices.DeleteFunc(codes, func(c string) bool { return c == "" })
	m := map[string]string{}
	if len(codes) == 0 {
		return m, nil
	}
	as, _, err := h.svc.Store().ListAreas(ctx, data.AreaQuery{Codes: codes})
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		m[a.Code] = a.Name
	}
	return m, nil
}

func (h *handler) requests(ctx context.Context, rs []data.Report) (requestList, error) {
	names, err := h.names(ctx, rs)
	if err != nil {
		return nil, err
	}
	cats, err := h.svc.Categories(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(rs))
	for i := range rs {
		ids[i] = rs[i].ID
	}
	logs, err := h.svc.PublicEvents(ctx, ids)
	if err != nil {
		return nil, err
	}
	catName := map[string]string{}
	for _, c := range cats {
		catName[c.Code] = h.text(c.Name, c.NameEN)
	}
	out := make(requestList, 0, len(rs))
	for i := range rs {
		r := workflow.PublicView(rs[i])
		status := "open"
		if !data.OpenStatus(r.Status) {
			status = "closed"
		}
		var agency []string
		for _, c := range []string{r.Routing.StreetCode, r.Routing.CommunityCode} {
			if n := names[c]; n != "" {
				agency = append(agency, n)
			}
		}
		if len(agency) == 0 && names[r.Routing.DistrictCode] != "" {
			agency = append(agency, names[r.Routing.DistrictCode])
		}
		q := Request{ServiceRequestID: r.ID, Status: status, StatusNotes: h.statusNotes(&r, stepReason(&r, logs[r.ID])),
			ServiceName: catName[r.Category], ServiceCode: r.Category, Description: r.Description,
			AgencyResponsible: strings.Join(agency, " "), ServiceNotice: h.notice(&r),
			RequestedDatetime: h.ts(r.CreatedAt), UpdatedDatetime: h.ts(r.UpdatedAt), ExpectedDatetime: h.ts(r.DueAt),
			Address: r.Address, Lat: r.Location[1], Long: r.Location[0]}
		if len(r.MediaURLs) > 0 {
			q.MediaURL = r.MediaURLs[0]
		}
		out = append(out, q)
	}
	return out, nil
}

func (h *handler) getRequest(ctx context.Context, id string) (any, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return nil, fail(http.StatusNotFound, "service_request_id %q not found", id)
	}
	r, err := h.svc.Get(ctx, nil, n)
	if err != nil {
		if errors.Is(err, data.ErrNotFound) {
			return nil, fail(http.StatusNotFound, "service_request_id %q not found", id)
		}
		return nil, err
	}
	return h.requests(ctx, []data.Report{r})
}

// parseTime reads a W3C datetime (RFC 3339; a missing offset means
// Options.Location) or a plain date.
func (h *handler) parseTime(name, v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		var t time.Time
		var err error
		if layout == time.RFC3339Nano {
			t, err = time.Parse(layout, v)
		} else {
			t, err = time.ParseInLocation(layout, v, h.opts.Location)
		}
		if err == nil {
			return t, nil
		}
	}
	return time.Time{}, fail(http.StatusBadRequest, "%s %q is not a W3C datetime such as 2010-01-01T00:00:00Z", name, v)
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// formList reads a parameter that may be repeated and/or comma separated.
func formList(vals []string) []string {
	var out []string
	for _, v := range vals {
		out = append(out, splitList(v)...)
	}
	return out
}

func (h *handler) listRequests(r *http.Request) (any, error) {
	ctx := r.Context()
	qv := r.URL.Query()
	if ids := formList(qv["service_request_id"]); len(ids) > 0 {
		// The spec: other parameters are ignored when ids are given.
		if len(ids) > MaxRequests {
			return nil, fail(http.StatusBadRequest, "at most %d service_request_id values", MaxRequests)
		}
		var q data.ReportQuery
		for _, s := range ids {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n <= 0 {
				return nil, fail(http.StatusBadRequest, "service_request_id %q is not a request id", s)
			}
			q.IDs = append(q.IDs, n)
		}
		q.Limit = MaxRequests
		rs, _, err := h.svc.List(ctx, nil, q)
		if err != nil {
			return nil, err
		}
		return h.requests(ctx, rs)
	}
	q := data.ReportQuery{Limit: MaxRequests}
	if codes := formList(qv["service_code"]); len(codes) > 0 {
		for _, c := range codes {
			if _, err := h.svc.Category(ctx, c); err != nil {
				if errors.Is(err, data.ErrNotFound) {
					return nil, fail(http.StatusNotFound, "service_code %q not found", c)
				}
				return nil, err
			}
		}
		q.Category = codes
	}
	var start, end time.Time
	var err error
	if v := qv.Get("start_date"); v != "" {
		if start, err = h.parseTime("start_date", v); err != nil {
			return nil, err
		}
	}
	if v := qv.Get("end_date"); v != "" {
		if end, err = h.parseTime("end_date", v); err != nil {
			return nil, err
		}
	}
	switch {
	case start.IsZero() && end.IsZero():
		end = h.svc.Now()
		start = end.Add(-Window)
	case start.IsZero():
		start = end.Add(-Window)
	case end.IsZero():
		end = start.Add(Window)
	}
	if end.Before(start) {
		return nil, fail(http.StatusBadRequest, "end_date is before start_date")
	}
	if end.Sub(start) > Window {
		return nil, fail(http.StatusBadRequest, "start_date to end_date may not span more than 90 days")
	}
	q.From, q.To = start, end.Add(time.Microsecond) // end_date is inclusive
	var open, closed bool
	for _, s := range formList(qv["status"]) {
		switch s {
		case "open":
			open = true
		case "closed":
			closed = true
		default:
			return nil, fail(http.StatusBadRequest, "status %q: use open or closed", s)
		}
	}
	switch {
	case open && !closed:
		q.Open = true
	case closed && !open:
		q.Status = []data.Status{data.StatusClosed, data.StatusRejected}
	}
	rs, _, err := h.svc.List(ctx, nil, q)
	if err != nil {
		return nil, err
	}
	return h.requests(ctx, rs)
}

func (h *handler) postRequest(r *http.Request) (any, error) {
	if err := r.ParseMultipartForm(h.opts.MaxBody); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, fail(http.StatusRequestEntityTooLarge, "request body larger than %d bytes", mbe.Limit)
		}
		return nil, fail(http.StatusBadRequest, "cannot read the form: %v", err)
	}
	if err := h.checkJurisdiction(r); err != nil {
		return nil, err
	}
	f := r.PostForm
	key := strings.TrimSpace(f.Get("api_key"))
	if key == "" {
		key = strings.TrimSpace(r.URL.Query().Get("api_key"))
	}
	var actor *data.Person
	switch {
	case key == "":
		return nil, fail(http.StatusForbidden, "api_key is required")
	case h.opts.PublicKey != "" && key == h.opts.PublicKey:
	default:
		p, err := h.svc.Authenticate(r.Context(), key)
		if err != nil {
			if errors.Is(err, workflow.ErrUnauthenticated) {
				return nil, fail(http.StatusForbidden, "invalid api_key")
			}
			return nil, err
		}
		actor = p
	}
	code := strings.TrimSpace(f.Get("service_code"))
	if code == "" {
		return nil, fail(http.StatusBadRequest, "service_code is required")
	}
	if _, err := h.svc.Category(r.Context(), code); err != nil {
		if errors.Is(err, data.ErrNotFound) {
			return nil, fail(http.StatusNotFound, "service_code %q not found", code)
		}
		return nil, err
	}
	in := workflow.Intake{Category: code, Description: f.Get("description"), Address: f.Get("address_string"),
		Source: data.SourceOpen311, IdempotencyKey: r.Header.Get("Idempotency-Key"),
		ReporterPhone: f.Get("phone")}
	in.ReporterName = strings.TrimSpace(strings.TrimSpace(f.Get("first_name")) + " " + strings.TrimSpace(f.Get("last_name")))
	if in.ReporterName == "" {
		in.ReporterName = strings.TrimSpace(f.Get("email"))
	}
	if m := strings.TrimSpace(f.Get("media_url")); m != "" {
		in.MediaURLs = []string{m}
	}
	lat, long := strings.TrimSpace(f.Get("lat")), strings.TrimSpace(f.Get("long"))
	switch {
	case lat != "" || long != "":
		la, err1 := strconv.ParseFloat(lat, 64)
		lo, err2 := strconv.ParseFloat(long, 64)
		if err1 != nil || err2 != nil || math.IsNaN(la) || math.IsNaN(lo) || math.IsInf(la, 0) || math.IsInf(lo, 0) ||
			la < -90 || la > 90 || lo < -180 || lo > 180 {
			return nil, fail(http.StatusBadRequest, "lat and long must both be decimal degrees (WGS84), lat in [-90,90], long in [-180,180]")
		}
		in.Location = &orb.Point{lo, la}
	case strings.TrimSpace(in.Address) == "":
		if f.Get("address_id") != "" {
			return nil, fail(http.StatusBadRequest, "address_id is not supported: send lat and long or address_string")
		}
		return nil, fail(http.StatusBadRequest, "a location is required: lat and long, or address_string")
	}
	rep, _, err := h.svc.Submit(r.Context(), actor, in)
	if err != nil {
		return nil, err
	}
	return createdList{{ServiceRequestID: rep.ID, ServiceNotice: h.notice(&rep)}}, nil
}
