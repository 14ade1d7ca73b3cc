package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/race"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/testkit"
)

// journeyAPI is the example API of scenarios/journey.yaml, with the truth
// the acceptance test checks against: which user each token was issued
// to, which user each authenticated request came as, and every login and
// order id it saw.
type journeyAPI struct {
	// broken, when set, says how a login answers for a user: "500", "notoken"
	// or "" (a good login).
	broken func(user string) string

	mu       sync.Mutex        // guards the fields below
	tokens   map[string]string // token -> user it was issued to
	logins   map[string]int    // user -> successful logins
	attempts map[string]int    // user -> login attempts
	items    int               // authenticated GET /items
	orders   map[string]int    // order id -> times seen
	mismatch []string          // requests whose token is not their user's (or unknown)
	cookies  int               // requests that came back with the session cookie
}

func newJourneyAPI(t *testing.T) (*journeyAPI, *httptest.Server) {
	a := &journeyAPI{tokens: map[string]string{}, logins: map[string]int{}, attempts: map[string]int{}, orders: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", a.login)
	mux.HandleFunc("GET /items/{id}", a.item)
	mux.HandleFunc("POST /orders", a.order)
	mux.HandleFunc("GET /report", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(30 * time.Millisecond) // the slow endpoint
		fmt.Fprint(w, `{"total": 42}`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return a, srv
}

func (a *journeyAPI) login(w http.ResponseWriter, r *http.Request) {
	var in struct{ User, Password string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.User == "" || in.Password != "pw"+strings.TrimPrefix(in.User, "user") {
		http.Error(w, "bad credentials", http.StatusUnauthorized)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.attempts[in.User]++
	mode := ""
	if a.broken != nil {
		mode = a.broken(in.User)
	}
	switch mode {
	case "500":
		http.Error(w, "login is down", http.StatusInternalServerError)
		return
	case "notoken":
		fmt.Fprint(w, `{"ok": true}`)
		return
	}
	token := fmt.Sprintf("t-%s-%d", in.User, len(a.tokens))
	a.tokens[token] = in.User
	a.logins[in.User]++
	http.SetCookie(w, &http.Cookie{Name: "sid", Value: "s-" + token, Path: "/"})
	fmt.Fprintf(w, `{"ok": true, "token": %q}`, token)
}

// auth returns the user the request's token was issued to.
func (a *journeyAPI) auth(r *http.Request) (string, bool) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	user, known := a.tokens[token]
	if c, err := r.Cookie("sid"); err == nil && c.Value == "s-"+token {
		a.cookies++
	}
	return user, ok && known
}

func (a *journeyAPI) item(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	user, ok := a.auth(r)
	if !ok || user != r.URL.Query().Get("user") {
		a.mismatch = append(a.mismatch, fmt.Sprintf("GET %s as %q (%s)", r.URL, user, r.Header.Get("Authorization")))
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	a.items++
	fmt.Fprintf(w, `{"ok": true, "id": %q}`, r.PathValue("id"))
}

func (a *journeyAPI) order(w http.ResponseWriter, r *http.Request) {
	var in struct {
		OrderID string `json:"order_id"`
		Item    int
	}
	err := json.NewDecoder(r.Body).Decode(&in)
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.auth(r); !ok || err != nil || in.OrderID == "" {
		a.mismatch = append(a.mismatch, fmt.Sprintf("POST /orders %v %v", ok, err))
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	a.orders[in.OrderID]++
	w.WriteHeader(http.StatusCreated)
	fmt.Fprint(w, `{"created": true}`)
}

// journey loads scenarios/journey.yaml aimed at url, keeping only the
// named profiles, with the data file swapped for users when given.
func journey(t *testing.T, url string, users []string) *scenario.Scenario {
	t.Helper()
	path := "../../scenarios/journey.yaml"
	if users != nil {
		dir := t.TempDir()
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		csv := "name,password\n"
		for _, u := range users {
			csv += u + ",pw" + strings.TrimPrefix(u, "user") + "\n"
		}
		if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "data", "users.csv"), []byte(csv), 0o644); err != nil {
			t.Fatal(err)
		}
		path = filepath.Join(dir, "journey.yaml")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sc, err := scenario.Load(path, func(k string) (string, bool) {
		if k == "JOURNEY_URL" {
			return url, true
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func runJourney(t *testing.T, sc *scenario.Scenario, profiles ...string) *result.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := Run(ctx, Options{Scenario: sc, Profiles: profiles, Version: "test", Seed: 7, MaxLateness: 250 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func perRequest(p result.Profile, name string) result.RequestStats {
	for _, r := range p.Total.PerRequest {
		if r.Name == name {
			return r
		}
	}
	return result.RequestStats{}
}

func perFlow(p result.Profile, name string) result.FlowStats {
	for _, f := range p.Total.PerFlow {
		if f.Name == name {
			return f
		}
	}
	return result.FlowStats{}
}

// TestAcceptanceJourney drives the example API with scenarios/journey.yaml
// in both models (about 5 s of load in all) and checks against the
// server's own records: every items and orders request came with the
// token login issued to that iteration's user (and its session cookie),
// no unique user logged in twice, order ids are unique, and the result's
// per-request and per-flow counts equal what the server saw.
func TestAcceptanceJourney(t *testing.T) {
	t.Parallel()
	race.Waiting(t)
	api, srv := newJourneyAPI(t)
	res := runJourney(t, journey(t, srv.URL, nil), "baseline", "target")
	api.mu.Lock()
	defer api.mu.Unlock()
	if len(api.mismatch) > 0 {
		t.Fatalf("%d requests not authenticated as their iteration's user, e.g. %v", len(api.mismatch), api.mismatch[:min(3, len(api.mismatch))])
	}
	for u, n := range api.attempts {
		if n > 1 {
			t.Errorf("user %s logged in %d times: unique rows were reused", u, n)
		}
	}
	for id, n := range api.orders {
		if n > 1 {
			t.Errorf("order id %s seen %d times", id, n)
		}
	}
	var logins, items, orders, completed int64
	for _, p := range res.Profiles {
		logins += perRequest(p, "login").Requests
		items += perRequest(p, "get_item").Requests
		orders += perRequest(p, "create_order").Requests
		completed += perFlow(p, "shopper").Completed
		if p.Total.Errors != 0 {
			t.Errorf("profile %s: %d errors (%v), want none", p.Name, p.Total.Errors, p.Total.ErrorClasses)
		}
		if perFlow(p, "shopper").Started == 0 || perFlow(p, "reporter").Started == 0 {
			t.Errorf("profile %s: per-flow counts %+v, want both flows run", p.Name, p.Total.PerFlow)
		}
	}
	if logins == 0 || logins != int64(len(api.attempts)) || items != int64(api.items) || orders != int64(len(api.orders)) {
		t.Errorf("result counts login %d, items %d, orders %d; server saw %d, %d, %d", logins, items, orders, len(api.attempts), api.items, len(api.orders))
	}
	if completed != orders {
		t.Errorf("shopper completed %d iterations, %d orders placed", completed, orders)
	}
	if api.cookies != api.items+len(api.orders) {
		t.Errorf("%d of %d authenticated requests carried their session cookie", api.cookies, api.items+len(api.orders))
	}
	t.Logf("logins %d, items %d, orders %d over %d profiles", logins, items, orders, len(res.Profiles))

	// The result file keeps the flow and check counts, and reads back.
	back := testkit.Reread(t, "journey.json", res)
	if got, want := perFlow(back.Profiles[0], "shopper"), perFlow(res.Profiles[0], "shopper"); got != want || back.Profiles[0].Generator.Iterations == 0 {
		t.Errorf("per-flow counts read back as %+v, written %+v", got, want)
	}
	if got := perRequest(back.Profiles[0], "login").Checks; got == nil {
		t.Errorf("login checks read back as %v", got)
	}
}

// TestAcceptanceJourneyBrokenLogin: a login that answers 500 fails its
// status check (class check, counted as the login's "status" check); one
// that answers without a token fails the extraction (class extract); the
// rest of those iterations is skipped, not sent.
func TestAcceptanceJourneyBrokenLogin(t *testing.T) {
	t.Parallel()
	race.Waiting(t)
	api, srv := newJourneyAPI(t)
	api.broken = func(u string) string {
		switch u[len(u)-1] {
		case '1', '2':
			return "500"
		case '3':
			return "notoken"
		}
		return ""
	}
	res := runJourney(t, journey(t, srv.URL, nil), "baseline")
	p := res.Profiles[0]
	api.mu.Lock()
	defer api.mu.Unlock()
	var want500, wantNoToken int64
	for u := range api.attempts {
		switch api.broken(u) {
		case "500":
			want500++
		case "notoken":
			wantNoToken++
		}
	}
	if want500 == 0 || wantNoToken == 0 {
		t.Fatalf("too few logins to test (%d attempts)", len(api.attempts))
	}
	login := perRequest(p, "login")
	if got := login.Checks["status"]; got != want500 {
		t.Errorf("login status check failures = %d, server answered 500 %d times", got, want500)
	}
	if got := p.Total.ErrorClasses["check"]; got != want500 {
		t.Errorf("class check = %d, want %d", got, want500)
	}
	if got := p.Total.ErrorClasses["extract"]; got != wantNoToken {
		t.Errorf("class extract = %d, want %d", got, wantNoToken)
	}
	f := perFlow(p, "shopper")
	if f.Failed != want500+wantNoToken || f.Skipped != 2*f.Failed {
		t.Errorf("shopper flow %+v: want failed %d and 2 skipped steps each", f, want500+wantNoToken)
	}
	if len(api.mismatch) > 0 {
		t.Errorf("a skipped step was sent: %v", api.mismatch[:min(3, len(api.mismatch))])
	}
	if int64(api.items) != f.Completed || int64(len(api.orders)) != f.Completed {
		t.Errorf("server saw %d items and %d orders, flow completed %d", api.items, len(api.orders), f.Completed)
	}
}

// TestJourneyUniqueExhausted: with 5 users, unique and on_exhausted: stop,
// the run ends after 5 logins, says so, and counts the iterations not
// begun.
func TestJourneyUniqueExhausted(t *testing.T) {
	api, srv := newJourneyAPI(t)
	sc := journey(t, srv.URL, []string{"user001", "user002", "user003", "user004", "user005"})
	sc.Flows[1].Weight = 0 // shoppers only
	res := runJourney(t, sc, "baseline")
	p := res.Profiles[0]
	f := perFlow(p, "shopper")
	api.mu.Lock()
	defer api.mu.Unlock()
	if len(api.attempts) != 5 || f.Started != 5 || f.Exhausted < 1 {
		t.Errorf("logins by %d users, flow %+v; want 5 started and exhausted counted", len(api.attempts), f)
	}
	for u, n := range api.attempts {
		if n != 1 {
			t.Errorf("user %s logged in %d times", u, n)
		}
	}
	// It says when, against the plan (a 4 s run that stopped at 1.6 s read
	// only "stopped early").
	ran := time.Duration(float64(p.Total.Elapsed) * float64(time.Second)).Round(100 * time.Millisecond)
	if want := fmt.Sprintf("ran out of rows (on_exhausted: stop): the profile stopped after %v of its planned 3s", ran); !strings.Contains(strings.Join(p.Notes, "\n"), want) {
		t.Errorf("notes %q, want one saying %q", p.Notes, want)
	}
	if p.Total.Elapsed >= 2.5 {
		t.Errorf("profile ran %.1fs of 3s: it should stop when the users ran out", float64(p.Total.Elapsed))
	}
	// It did not run as planned: no pass (it passed, "too short to tell").
	if p.DataRanOut == nil || p.Verdict.Pass || res.Pass || !strings.Contains(p.Verdict.Answer, "INCOMPLETE — not a pass: a unique data source ran out") {
		t.Errorf("data ran out at %v: pass %v (run %v): %s", p.DataRanOut, p.Verdict.Pass, res.Pass, p.Verdict.Answer)
	}
}
