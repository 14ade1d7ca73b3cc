package scenario

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// QuickOptions are a quick check's command-line flags (`loadplan run --url
// URL ...`): one request, one profile with one steady stage. The zero
// value of Method, Timeout, MaxInFlight and Client is the scenario file's
// default.
type QuickOptions struct {
	URL         string
	Method      string
	Headers     []string // "Name: value"
	Body        string
	Users       int     // closed model; exclusive with Rate
	Rate        float64 // open model, requests per second
	Duration    time.Duration
	Timeout     time.Duration
	Think       time.Duration // closed model only
	MaxInFlight int
	Client      string
}

// Quick builds the scenario of a quick check with the checks a scenario
// file gets (CheckURL, CheckLoad, CheckMethod, CheckHeader, the client and
// max_in_flight bounds, header names given once), so the command line
// cannot ask for what a file may not. Each error names the flag, and never
// repeats a header's value, which may be secret.
func Quick(o QuickOptions) (*Scenario, error) {
	u, err := CheckURL(o.URL, false)
	if err != nil {
		return nil, fmt.Errorf("--url %q: %s", MaskURLText(o.URL), MaskURLText(err.Error()))
	}
	model, load, err := o.load()
	if err != nil {
		return nil, err
	}
	method, err := CheckMethod(o.Method)
	if err != nil {
		return nil, fmt.Errorf("--method: %v", err)
	}
	if !contains(Clients, o.Client) {
		return nil, fmt.Errorf("--client %q: want auto, fast or std", o.Client)
	}
	sc := &Scenario{
		Version: 1,
		Name:    "quick-" + SafeName(u.Host),
		Target:  Target{URL: o.URL, Timeout: o.Timeout, MaxInFlight: o.MaxInFlight, Client: o.Client},
	}
	if pw, ok := u.User.Password(); ok && pw != "" {
		sc.Secrets = append(sc.Secrets, pw)
	}
	req := Request{Name: "request", Method: method, URL: o.URL, Body: o.Body, Weight: 1}
	if req.Headers, err = quickHeaders(o.Headers, sc); err != nil {
		return nil, err
	}
	sc.Requests = []Request{req}
	p := Profile{Name: "baseline", Model: model, Think: o.Think}
	p.Stages = []Stage{{Load: load, From: load, Duration: o.Duration}}
	sc.Profiles = []Profile{p}
	return sc, nil
}

// load checks the model, the load and the durations of a quick check.
func (o QuickOptions) load() (Model, float64, error) {
	model, flag, load := Open, "--rate", o.Rate
	if o.Users != 0 {
		model, flag, load = Closed, "--users", float64(o.Users)
	}
	switch {
	case o.Users != 0 && o.Rate != 0:
		return "", 0, errors.New("give --users (closed model) or --rate (open model), not both")
	case o.Users == 0 && o.Rate == 0:
		return "", 0, errors.New("a quick check needs --users N (closed model) or --rate R (open model)")
	case o.Duration <= 0:
		return "", 0, fmt.Errorf("--duration %s: must be > 0, e.g. 30s", o.Duration)
	case o.Timeout <= 0:
		return "", 0, fmt.Errorf("--timeout %s: must be > 0", o.Timeout)
	case o.Think < 0:
		return "", 0, fmt.Errorf("--think %s: must be >= 0", o.Think)
	case o.Think > 0 && o.Rate != 0:
		return "", 0, errors.New("--think goes with --users (the closed model), not --rate")
	case o.MaxInFlight < 1 || o.MaxInFlight > MaxMaxInFlight:
		return "", 0, fmt.Errorf("--max-in-flight %d: must be from 1 to %d", o.MaxInFlight, MaxMaxInFlight)
	}
	if load <= 0 {
		return "", 0, fmt.Errorf("%s %g: must be > 0", flag, load)
	}
	if err := CheckLoad(load, model); err != nil { // NaN, Inf, above the bound
		return "", 0, fmt.Errorf("%s %s: %v", flag, strconv.FormatFloat(load, 'f', -1, 64), err)
	}
	return model, load, nil
}

// quickHeaders reads the --header flags; a sensitive header's value is a
// secret of sc, as in a file.
func quickHeaders(flags []string, sc *Scenario) ([]Header, error) {
	var hs []Header
	seen := map[string]bool{}
	for i, h := range flags {
		name, value, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(name) == "" {
			// Not repeated: without its colon, "Authorization Bearer …"
			// is a secret that would reach the CI log.
			return nil, fmt.Errorf("--header number %d: want 'Name: value' (not repeated here: it may hold a secret)", i+1)
		}
		hd := Header{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value)}
		if err := CheckHeader(hd.Name, hd.Value); err != nil {
			return nil, fmt.Errorf("--header %q: %v", hd.Name, err)
		}
		if lower := strings.ToLower(hd.Name); seen[lower] {
			return nil, fmt.Errorf("--header %q: given twice (header names are case-insensitive)", hd.Name)
		}
		seen[strings.ToLower(hd.Name)] = true
		if isSensitive(hd.Name) && hd.Value != "" {
			hd.Secret = true
			sc.Secrets = append(sc.Secrets, hd.Value)
		}
		hs = append(hs, hd)
	}
	return hs, nil
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// SafeName is s with every run of characters other than letters, digits,
// '.', '_' and '-' replaced by '-': a scenario's name made fit for a file
// or directory name ("run" when nothing is left).
func SafeName(s string) string {
	s = unsafeChars.ReplaceAllString(s, "-")
	if s == "" {
		return "run"
	}
	return s
}

// CheckProfiles checks that each profile named (--profile) is one of the
// scenario's, naming them when one is not.
func (sc *Scenario) CheckProfiles(only []string) error {
	var have []string
	for _, p := range sc.Profiles {
		have = append(have, p.Name)
	}
	for _, name := range only {
		if !contains(have, name) {
			return fmt.Errorf("--profile %q: the scenario has %s", name, strings.Join(have, ", "))
		}
	}
	return nil
}
