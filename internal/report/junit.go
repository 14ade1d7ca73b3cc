package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
)

// JUnit writes a run as JUnit XML, the format CI systems (GitHub Actions
// through test-report actions, GitLab, Jenkins) display: one testsuite per
// profile, and in it one testcase for the profile's verdict, one per
// verdict check, and one per gate or baseline check on that profile. A
// failure's message reads "measured X, limit OP Y". Testcase names hold no
// measured values, so a CI system can follow each test from run to run.
func JUnit(w io.Writer, r *result.Result) error { return writeJUnit(w, junitDoc(r)) }

// JUnitRun is one run of a series (`run --repeat N`): its result, or the
// error that left it without one.
type JUnitRun struct {
	Result *result.Result
	Err    error
}

// JUnitRuns writes the runs of a series of planned runs as one JUnit
// document, so that a run that failed shows however the last one went:
// each run's suites as JUnit writes them, named "run-K/PROFILE" with
// classes "loadplan.run-K.PROFILE"; a run with no result is a suite
// "run-K" of one failed testcase that says why; and when fewer than
// planned have run (an interrupt or an abort ended the series, or it is
// still running, or was killed) a suite "series" of one failed testcase
// says which did not.
func JUnitRuns(w io.Writer, runs []JUnitRun, planned int) error {
	doc := junitSuites{Name: "loadplan"}
	var elapsed float64
	fail := func(tag, name, msg string) {
		s := junitSuite{Name: tag, Time: seconds(0)}
		s.add(junitCase{Name: name, Class: "loadplan." + tag, Time: "0", Failure: &junitFailure{Type: name, Message: msg, Text: msg}})
		doc.Suites = append(doc.Suites, s)
		doc.Tests, doc.Failures = doc.Tests+1, doc.Failures+1
	}
	for i, run := range runs {
		tag := fmt.Sprintf("run-%d", i+1)
		if run.Result == nil {
			fail(tag, "result", fmt.Sprintf("%s: no result: %v", tag, run.Err))
			continue
		}
		d := junitDoc(run.Result)
		doc.Name = d.Name
		for _, s := range d.Suites {
			s.Name = tag + "/" + s.Name
			for j := range s.Cases {
				s.Cases[j].Class = strings.Replace(s.Cases[j].Class, "loadplan.", "loadplan."+tag+".", 1)
			}
			doc.Suites = append(doc.Suites, s)
		}
		doc.Tests, doc.Failures = doc.Tests+d.Tests, doc.Failures+d.Failures
		elapsed += d.elapsed
	}
	if k := len(runs); k < planned {
		left := fmt.Sprintf("runs %d to %d of %d have", k+1, planned, planned)
		if k+1 == planned {
			left = fmt.Sprintf("run %d of %d has", planned, planned)
		}
		fail("series", "complete", fmt.Sprintf("%s not run: the series stopped after run %d, or was still running when this was written", left, k))
	}
	doc.Name += fmt.Sprintf(" (%d of %d runs)", len(runs), planned)
	doc.Time = seconds(result.Seconds(elapsed))
	return writeJUnit(w, doc)
}

// junitDoc is a run's JUnit document (JUnit).
func junitDoc(r *result.Result) junitSuites {
	doc := junitSuites{Name: "loadplan: " + r.Scenario.Name}
	suites := map[string]*junitSuite{}
	var order []*junitSuite
	suite := func(profile string) *junitSuite {
		if s, ok := suites[profile]; ok {
			return s
		}
		name := profile
		if name == "" {
			name = "gates" // a gate judged on no profile: none ran
		}
		s := &junitSuite{Name: name, Time: seconds(0), Properties: &junitProps{Props: []junitProp{
			{Name: "scenario", Value: r.Scenario.Name},
			{Name: "target", Value: r.Scenario.Target},
			{Name: "status", Value: r.Status},
		}}}
		suites[profile] = s
		order = append(order, s)
		return s
	}

	for i := range r.Profiles {
		p := &r.Profiles[i]
		s := suite(p.Name)
		s.Time = seconds(p.Total.Elapsed)
		if !p.Start.IsZero() {
			s.Timestamp = p.Start.UTC().Format("2006-01-02T15:04:05")
		}
		class := "loadplan." + p.Name
		if v := p.Verdict; v != nil {
			tc := junitCase{Name: "verdict", Class: class, Time: "0"}
			if !v.Pass {
				tc.Failure = &junitFailure{Type: "verdict", Message: v.Answer, Text: v.Answer}
			} else {
				tc.SystemOut = v.Answer
			}
			s.add(tc)
			for _, c := range v.Checks {
				c = shownCheck(p, c)
				name := c.Name
				if c.Stage != nil {
					name += fmt.Sprintf(" (stage %d)", *c.Stage+1)
				}
				s.add(checkCase(name, class, p.Name, c))
			}
		}
		if r.Abort != nil && r.Abort.Profile == p.Name {
			msg := fmt.Sprintf("aborted: %s (%s)", r.Abort.Condition, r.Abort.Detail)
			s.add(junitCase{Name: "abort", Class: class, Time: "0", Failure: &junitFailure{Type: "abort", Message: msg, Text: msg}})
		}
	}
	for _, g := range r.Gates {
		name := "gate " + g.Gate
		if strings.HasPrefix(g.Name, "baseline:") {
			name = g.Gate
		}
		s := suite(g.Profile)
		s.add(checkCase(name, "loadplan."+s.Name, g.Profile, g.Check))
	}

	doubtsInSuites(r, suites)
	var elapsed float64
	for _, s := range order {
		doc.Suites = append(doc.Suites, *s)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
	}
	for _, p := range r.Profiles {
		elapsed += float64(p.Total.Elapsed)
	}
	doc.elapsed = elapsed
	doc.Time = seconds(result.Seconds(elapsed))
	return doc
}

// doubtsInSuites puts each suite's Doubts that no testcase carries in its
// system-err: the run's warnings (a baseline judged again, a baseline
// too short to catch the allowance…) in every suite, a profile's own
// (an INVALID generator's reasons, notes, capacity-model and monitoring
// warnings) in its suite, so that a CI page of the gates says why a
// figure may not be right, as the summary does.
func doubtsInSuites(r *result.Result, suites map[string]*junitSuite) {
	for _, d := range Doubts(r) {
		if d.Case {
			continue
		}
		for name, s := range suites {
			if d.Profile == "" || d.Profile == name {
				s.SystemErr += "warning: " + d.Text + "\n"
			}
		}
	}
}

// writeJUnit writes the document with its XML header, indented.
func writeJUnit(w io.Writer, doc junitSuites) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encode JUnit XML: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// checkCase is a testcase for one check; a failed one carries "measured X,
// limit OP Y" and its detail.
func checkCase(name, class, profile string, c result.Check) junitCase {
	tc := junitCase{Name: name, Class: class, Time: "0"}
	if c.Pass {
		if c.Detail != "" {
			// A passed baseline check's test and what the run could
			// detect, or a figure beyond its allowance that passed as
			// noise: CI shows them, not only a green mark.
			tc.SystemOut = Measured(c)
		}
		return tc
	}
	msg := Measured(c)
	where := profile
	if where == "" {
		where = "the run"
	}
	tc.Failure = &junitFailure{Type: c.Name, Message: msg, Text: fmt.Sprintf("%s on %s: %s", name, where, msg)}
	return tc
}

// Measured says what a check measured against what it allowed, as JUnit
// failures and the run's stderr read: "measured 312.2ms, limit <= 100.0ms",
// followed by the check's detail in brackets when it has one.
func Measured(c result.Check) string {
	msg := fmt.Sprintf("measured %s, limit %s", measured(c), limitText(c))
	if c.Detail != "" {
		msg += " (" + c.Detail + ")"
	}
	return msg
}

// measured is a check's measured figure, or NoFigure when there was
// nothing to measure.
func measured(c result.Check) string {
	if c.Unmeasured {
		return NoFigure
	}
	v := value(c.Measured, c.Unit)
	if !c.Pass && c.Measured != c.Limit && v == value(c.Limit, c.Unit) {
		// A failed check must not read "measured 1%, limit <= 1%": give
		// the figure the digits that set it apart from its limit.
		return precise(c.Measured, c.Unit)
	}
	return v
}

// limitText is a check's limit with its operator, as every report reads
// it: "<= 100.0ms".
func limitText(c result.Check) string { return c.Op + " " + value(c.Limit, c.Unit) }

// precise writes v in unit with seven significant digits.
func precise(v float64, unit string) string {
	g := func(x float64) string { return strconv.FormatFloat(x, 'g', 7, 64) }
	switch unit {
	case "ms", "s":
		return g(v) + unit
	case "ratio":
		return g(v*100) + "%"
	case "req/s":
		return g(v) + "/s"
	}
	return g(v) + " " + unit
}

func seconds(s result.Seconds) string { return fmt.Sprintf("%.3f", float64(s)) }

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
	elapsed  float64      // seconds: the profiles' elapsed time, which Time prints
}

type junitSuite struct {
	Name       string      `xml:"name,attr"`
	Tests      int         `xml:"tests,attr"`
	Failures   int         `xml:"failures,attr"`
	Errors     int         `xml:"errors,attr"`
	Skipped    int         `xml:"skipped,attr"`
	Time       string      `xml:"time,attr"`
	Timestamp  string      `xml:"timestamp,attr,omitempty"`
	Properties *junitProps `xml:"properties,omitempty"`
	Cases      []junitCase `xml:"testcase"`
	// SystemErr holds the suite's Doubts that no testcase carries, a
	// "warning: " line each.
	SystemErr string `xml:"system-err,omitempty"`
}

func (s *junitSuite) add(tc junitCase) {
	s.Cases = append(s.Cases, tc)
	s.Tests++
	if tc.Failure != nil {
		s.Failures++
	}
}

type junitProps struct {
	Props []junitProp `xml:"property"`
}

type junitProp struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name    string        `xml:"name,attr"`
	Class   string        `xml:"classname,attr"`
	Time    string        `xml:"time,attr"`
	Failure *junitFailure `xml:"failure,omitempty"`
	// SystemOut carries a passed verdict's answer (a stress profile's
	// capacity at SLO and breaking point, a spike's recovery) or a passed
	// check's figures and detail, which a bare passed testcase would not
	// show in CI.
	SystemOut string `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}
