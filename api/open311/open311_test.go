package open311_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/wangge-dev/wangge/api/open311"
	"github.com/wangge-dev/wangge/data"
	"github.com/wangge-dev/wangge/workflow"
	wt "github.com/wangge-dev/wangge/workflow/workflowtest"
)

var t0 = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

type fixture struct {
	t     *testing.T
	store data.Store
	svc   *workflow.Service
	h     http.Handler
	now   time.Time
}

func newFixture(t *testing.T, st data.Store) *fixture {
	t.Helper()
	if _, err := st.Load(context.Background(), wt.Dataset(t0)); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, store: st, now: t0}
	f.svc = workflow.New(st, wt.Route, func() time.Time { return f.now }, workflow.Config{})
	f.h = open311.New(f.svc, open311.Options{PublicKey: "public-key", BaseURL: "https://wangge.test/open311/v2/",
		Contact: "12345", Changeset: t0, Jurisdiction: "licang.qd"})
	return f
}

// do sends a request; body non-nil means a form POST.
func (f *fixture) do(method, path string, form url.Values) *httptest.ResponseRecorder {
	f.t.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, req)
	return w
}

func decode[T any](t *testing.T, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %q: %v", w.Body.String(), err)
	}
	return v
}

func keys(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// specPost is the spec's example POST (adapted to the fixture district).
func specPost() url.Values {
	return url.Values{
		"api_key": {"public-key"}, "jurisdiction_id": {"licang.qd"}, "service_code": {"facility_damage"},
		"lat": {"36.5"}, "long": {"120.06"}, "address_string": {"1234 5th street"}, "email": {"smit333@sfgov.edu"},
		"device_id": {"tt222111"}, "account_id": {"123456"}, "first_name": {"john"}, "last_name": {"smith"},
		"phone": {"111111111"}, "description": {"A large sinkhole is destroying the street"},
		"media_url": {"http://images.com/123.jpg"},
	}
}

func runOpen311(t *testing.T, mk func(t *testing.T) data.Store) {
	t.Run("discovery", func(t *testing.T) {
		f := newFixture(t, mk(t))
		w := f.do("GET", "/discovery.json", nil)
		if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
			t.Fatalf("%d %s", w.Code, w.Header().Get("Content-Type"))
		}
		d := decode[map[string]any](t, w)
		if !slices.Equal(keys(d), []string{"changeset", "contact", "endpoints", "key_service"}) {
			t.Fatalf("keys %v", keys(d))
		}
		ep := d["endpoints"].([]any)[0].(map[string]any)
		if ep["specification"] != open311.Spec || ep["url"] != "https://wangge.test/open311/v2/" || ep["type"] != "production" ||
			ep["changeset"] != "2026-03-02T08:00:00+08:00" || len(ep["formats"].([]any)) != 2 {
			t.Fatalf("endpoint %v", ep)
		}
		x := f.do("GET", "/discovery.xml", nil)
		var xd struct {
			XMLName   xml.Name `xml:"discovery"`
			Endpoints []struct {
				Formats []string `xml:"formats>format"`
			} `xml:"endpoints>endpoint"`
		}
		if err := xml.Unmarshal(x.Body.Bytes(), &xd); err != nil || len(xd.Endpoints) != 1 || len(xd.Endpoints[0].Formats) != 2 {
			t.Fatalf("xml %v %s", err, x.Body.String())
		}
	})

	t.Run("services", func(t *testing.T) {
		f := newFixture(t, mk(t))
		w := f.do("GET", "/open311/v2/services.json", nil) // also works unstripped
		ss := decode[[]map[string]any](t, w)
		if w.Code != 200 || len(ss) != len(data.DefaultCategories) {
			t.Fatalf("%d: %d services", w.Code, len(ss))
		}
		want := []string{"description", "group", "keywords", "metadata", "service_code", "service_name", "type"}
		for _, s := range ss {
			if !slices.Equal(keys(s), want) {
				t.Fatalf("keys %v", keys(s))
			}
		}
		s := ss[slices.IndexFunc(ss, func(s map[string]any) bool { return s["service_code"] == "facility_damage" })]
		if s["service_name"] != "公共设施损坏" || s["metadata"] != false || s["type"] != "realtime" || s["group"] != "设施" ||
			!strings.Contains(s["description"].(string), "48") || !strings.Contains(s["keywords"].(string), "Public-facility damage") {
			t.Fatalf("service %v", s)
		}
		x := f.do("GET", "/services.xml", nil)
		var xs struct {
			XMLName  xml.Name `xml:"services"`
			Services []struct {
				Code     string `xml:"service_code"`
				Metadata bool   `xml:"metadata"`
			} `xml:"service"`
		}
		if err := xml.Unmarshal(x.Body.Bytes(), &xs); err != nil || len(xs.Services) != len(data.DefaultCategories) ||
			!strings.HasPrefix(x.Body.String(), `<?xml version="1.0" encoding="UTF-8"?>`) {
			t.Fatalf("xml %v %s", err, x.Body.String())
		}
	})

	t.Run("service definition", func(t *testing.T) {
		f := newFixture(t, mk(t))
		w := f.do("GET", "/services/safety_hazard.json", nil)
		d := decode[map[string]any](t, w)
		if w.Code != 200 || d["service_code"] != "safety_hazard" || len(d["attributes"].([]any)) != 0 {
			t.Fatalf("%d %v", w.Code, d)
		}
	})

	t.Run("spec example POST then GET", func(t *testing.T) {
		f := newFixture(t, mk(t))
		w := f.do("POST", "/requests.json", specPost())
		if w.Code != 200 {
			t.Fatalf("%d %s", w.Code, w.Body.String())
		}
		cs := decode[[]map[string]any](t, w)
		if len(cs) != 1 || !slices.Equal(keys(cs[0]), []string{"account_id", "service_notice", "service_request_id"}) ||
			cs[0]["account_id"] != nil || cs[0]["service_notice"] != "预计办结时间 2026-03-04T08:00:00+08:00" {
			t.Fatalf("answer %v", cs)
		}
		id := int64(cs[0]["service_request_id"].(float64))
		stored, err := f.store.GetReport(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if stored.ReporterName != "john smith" || stored.ReporterPhone != "111111111" || stored.Source != data.SourceOpen311 ||
			stored.ReporterID != 0 || stored.Routing.GridCode != wt.G1 || stored.Address != "1234 5th street" ||
			!slices.Equal(stored.MediaURLs, []string{"http://images.com/123.jpg"}) {
			t.Fatalf("stored %+v", stored)
		}

		f.now = t0.Add(time.Hour)
		g := f.do("GET", "/requests/"+itoa(id)+".json", nil)
		rs := decode[[]map[string]any](t, g)
		if g.Code != 200 || len(rs) != 1 {
			t.Fatalf("%d %s", g.Code, g.Body.String())
		}
		want := map[string]any{
			"service_request_id": float64(id), "status": "open", "status_notes": "已受理登记",
			"service_name": "公共设施损坏", "service_code": "facility_damage",
			"description":        "A large sinkhole is destroying the street",
			"agency_responsible": "街道一 社区一", "service_notice": "预计办结时间 2026-03-04T08:00:00+08:00",
			"requested_datetime": "2026-03-02T08:00:00+08:00", "updated_datetime": "2026-03-02T08:00:00+08:00",
			"expected_datetime": "2026-03-04T08:00:00+08:00", "address": "1234 5th street",
			"lat": 36.5, "long": 120.06, "media_url": "http://images.com/123.jpg",
		}
		if !slices.Equal(keys(rs[0]), keys(want)) {
			t.Fatalf("keys %v, want %v", keys(rs[0]), keys(want))
		}
		for k, v := range want {
			if rs[0][k] != v {
				t.Errorf("%s = %v, want %v", k, rs[0][k], v)
			}
		}
		if strings.Contains(g.Body.String(), "john") || strings.Contains(g.Body.String(), "111111111") {
			t.Fatalf("reporter leaked: %s", g.Body.String())
		}
		x := f.do("GET", "/requests/"+itoa(id)+".xml", nil)
		var xr struct {
			XMLName  xml.Name `xml:"service_requests"`
			Requests []struct {
				ID     int64   `xml:"service_request_id"`
				Status string  `xml:"status"`
				Lat    float64 `xml:"lat"`
			} `xml:"request"`
		}
		if err := xml.Unmarshal(x.Body.Bytes(), &xr); err != nil || len(xr.Requests) != 1 || xr.Requests[0].ID != id || xr.Requests[0].Lat != 36.5 {
			t.Fatalf("xml %v %s", err, x.Body.String())
		}
	})

	t.Run("POST with a personal token and a duplicate", func(t *testing.T) {
		f := newFixture(t, mk(t))
		tok, err := f.svc.IssueToken(context.Background(), wt.Staff1, "app")
		if err != nil {
			t.Fatal(err)
		}
		first := f.do("POST", "/requests.json", specPost())
		firstID := int64(decode[[]map[string]any](t, first)[0]["service_request_id"].(float64))
		form := specPost()
		form.Set("api_key", tok)
		w := f.do("POST", "/requests.json", form)
		cs := decode[[]map[string]any](t, w)
		if w.Code != 200 || !strings.Contains(cs[0]["service_notice"].(string), itoa(firstID)) {
			t.Fatalf("%d %v", w.Code, cs)
		}
		r, _ := f.store.GetReport(context.Background(), int64(cs[0]["service_request_id"].(float64)))
		if r.ReporterID != wt.Staff1 || r.Source != data.SourceOpen311 || r.DuplicateOf != firstID {
			t.Fatalf("stored %+v", r)
		}
	})

	t.Run("GET requests filters", func(t *testing.T) {
		f := newFixture(t, mk(t))
		ctx := context.Background()
		cc, _ := f.store.GetPerson(ctx, wt.CC)
		old, err := f.svc.SubmitBatch(ctx, &cc, []workflow.Intake{
			{Category: "other", Description: "100 days old", Location: ptr(120.3, 36.3), At: t0.Add(-100 * 24 * time.Hour)},
			{Category: "other", Description: "10 days old", Location: ptr(120.3, 36.4), At: t0.Add(-10 * 24 * time.Hour)},
		})
		if err != nil {
			t.Fatal(err)
		}
		a, _, _ := f.svc.Submit(ctx, nil, workflow.Intake{Category: "safety_hazard", Description: "a", Location: ptr(120.7, 36.1)})
		b, _, _ := f.svc.Submit(ctx, nil, workflow.Intake{Category: "other", Description: "b", Location: ptr(120.7, 36.9)})
		if _, err := f.svc.Transition(ctx, &cc, b.ID, workflow.ActionReject, workflow.Params{Reason: "无效"}); err != nil {
			t.Fatal(err)
		}
		ids := func(path string) []int64 {
			t.Helper()
			w := f.do("GET", path, nil)
			if w.Code != 200 {
				t.Fatalf("%s: %d %s", path, w.Code, w.Body.String())
			}
			var out []int64
			for _, r := range decode[[]map[string]any](t, w) {
				out = append(out, int64(r["service_request_id"].(float64)))
			}
			slices.Sort(out)
			return out
		}
		cases := []struct {
			name string
			path string
			want []int64
		}{
			{"default: last 90 days", "/requests.json", []int64{old[1].ID, a.ID, b.ID}},
			{"status open", "/requests.json?status=open", []int64{old[1].ID, a.ID}},
			{"status closed (rejected is closed)", "/requests.json?status=closed", []int64{b.ID}},
			{"status open,closed", "/requests.json?status=open,closed", []int64{old[1].ID, a.ID, b.ID}},
			{"service_code", "/requests.json?service_code=safety_hazard", []int64{a.ID}},
			{"service_code list", "/requests.json?service_code=safety_hazard,other", []int64{old[1].ID, a.ID, b.ID}},
			{"start_date within 90 days of it", "/requests.json?start_date=2025-11-01T00:00:00Z", []int64{old[0].ID}},
			{"start and end", "/requests.json?start_date=2026-02-01T00:00:00%2B08:00&end_date=2026-02-28T00:00:00Z", []int64{old[1].ID}},
			{"ids ignore other filters", "/requests.json?service_request_id=" + itoa(old[0].ID) + "," + itoa(a.ID) + "&status=closed", []int64{old[0].ID, a.ID}},
			{"jurisdiction", "/requests.json?jurisdiction_id=licang.qd&service_code=safety_hazard", []int64{a.ID}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if got := ids(c.path); !slices.Equal(got, c.want) {
					t.Fatalf("got %v, want %v", got, c.want)
				}
			})
		}
		w := f.do("GET", "/requests/"+itoa(b.ID)+".json", nil)
		if r := decode[[]map[string]any](t, w)[0]; r["status"] != "closed" || r["status_notes"] != "不予立案：无效" {
			t.Fatalf("rejected shows %v / %v", r["status"], r["status_notes"])
		}
		// The note given with the step that reached the current status
		// follows the stage.
		if _, err := f.svc.Transition(ctx, &cc, a.ID, workflow.ActionAccept, workflow.Params{Reason: "已核实，立案"}); err != nil {
			t.Fatal(err)
		}
		w = f.do("GET", "/requests/"+itoa(a.ID)+".json", nil)
		if r := decode[[]map[string]any](t, w)[0]; r["status"] != "open" || r["status_notes"] != "已立案：已核实，立案" {
			t.Fatalf("accepted shows %v / %v", r["status"], r["status_notes"])
		}
	})

	t.Run("errors", func(t *testing.T) {
		f := newFixture(t, mk(t))
		without := func(k string) url.Values { v := specPost(); v.Del(k); return v }
		with := func(k, val string) url.Values { v := specPost(); v.Set(k, val); return v }
		long := strings.Repeat("长", 2001)
		cases := []struct {
			name   string
			method string
			path   string
			form   url.Values
			code   int
			desc   string // substring of the description
		}{
			{"missing api_key", "POST", "/requests.json", without("api_key"), 403, "api_key"},
			{"wrong api_key", "POST", "/requests.json", with("api_key", "nope"), 403, "invalid api_key"},
			{"missing service_code", "POST", "/requests.json", without("service_code"), 400, "service_code is required"},
			{"unknown service_code", "POST", "/requests.json", with("service_code", "pothole"), 404, "pothole"},
			{"bad lat", "POST", "/requests.json", with("lat", "north"), 400, "lat and long"},
			{"lat out of range", "POST", "/requests.json", with("lat", "91"), 400, "lat and long"},
			{"lat without long", "POST", "/requests.json", without("long"), 400, "lat and long"},
			{"no location", "POST", "/requests.json", func() url.Values { v := without("lat"); v.Del("long"); v.Del("address_string"); return v }(), 400, "location is required"},
			{"unknown address", "POST", "/requests.json", func() url.Values { v := without("lat"); v.Del("long"); return v }(), 400, "address"},
			{"description too long", "POST", "/requests.json", with("description", long), 400, "description"},
			{"bad media_url", "POST", "/requests.json", with("media_url", "file:///etc/passwd"), 400, "media_url"},
			{"wrong jurisdiction", "POST", "/requests.json", with("jurisdiction_id", "elsewhere"), 404, "jurisdiction"},
			{"unknown service definition", "GET", "/services/pothole.json", nil, 404, "pothole"},
			{"unknown request", "GET", "/requests/99999.json", nil, 404, "99999"},
			{"non-numeric request", "GET", "/requests/abc.json", nil, 404, "abc"},
			{"bad start_date", "GET", "/requests.json?start_date=yesterday", nil, 400, "start_date"},
			{"span over 90 days", "GET", "/requests.json?start_date=2025-01-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", nil, 400, "90 days"},
			{"end before start", "GET", "/requests.json?start_date=2026-01-02T00:00:00Z&end_date=2026-01-01T00:00:00Z", nil, 400, "before"},
			{"bad status", "GET", "/requests.json?status=pending", nil, 400, "status"},
			{"unknown service_code filter", "GET", "/requests.json?service_code=pothole", nil, 404, "pothole"},
			{"bad id list", "GET", "/requests.json?service_request_id=1,x", nil, 400, "service_request_id"},
			{"token", "GET", "/tokens/abc.json", nil, 404, "token"},
			{"unknown resource", "GET", "/widgets.json", nil, 404, "unknown resource"},
			{"no format", "GET", "/services", nil, 404, ".json or .xml"},
			{"method not allowed", "DELETE", "/requests.json", nil, 405, "DELETE"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				w := f.do(c.method, c.path, c.form)
				if w.Code != c.code {
					t.Fatalf("status %d, want %d: %s", w.Code, c.code, w.Body.String())
				}
				es := decode[[]map[string]any](t, w)
				if len(es) != 1 || !slices.Equal(keys(es[0]), []string{"code", "description"}) || es[0]["code"] != float64(c.code) ||
					!strings.Contains(es[0]["description"].(string), c.desc) {
					t.Fatalf("error body %s", w.Body.String())
				}
			})
		}
		t.Run("xml error", func(t *testing.T) {
			w := f.do("POST", "/requests.xml", without("service_code"))
			var xe struct {
				XMLName xml.Name `xml:"errors"`
				Errors  []struct {
					Code int    `xml:"code"`
					Desc string `xml:"description"`
				} `xml:"error"`
			}
			if err := xml.Unmarshal(w.Body.Bytes(), &xe); err != nil || w.Code != 400 || len(xe.Errors) != 1 || xe.Errors[0].Code != 400 {
				t.Fatalf("%d %v %s", w.Code, err, w.Body.String())
			}
		})
		if _, n, _ := f.store.ListReports(context.Background(), data.ReportQuery{}); n != 0 {
			t.Fatalf("%d reports stored by failed requests", n)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func ptr(lon, lat float64) *orb.Point { return &orb.Point{lon, lat} }
