package report

import (
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// TestDoubts: every field of a result that says a figure may not be what
// it seems is a Doubt, in the compact view's order, and JUnit puts each
// one no testcase carries in the system-err of its profile's suite (the
// run's in every suite): a run warning; the failed target's answer (a
// testcase already); a stress capacity at SLO that is a lower bound (its
// answer); an INVALID generator whose answer does not say so; a
// profile's note, capacity-model and monitoring warnings. A passed
// verdict whose stress ramp broke is no doubt.
func TestDoubts(t *testing.T) {
	r := junitFixture()
	r.Warnings = []string{"baseline old.json, judged again by today's rules: x"}
	base, target, stress := &r.Profiles[0], &r.Profiles[1], &r.Profiles[2]
	base.Generator = result.Generator{Invalid: true, Reasons: []string{"start lateness p99 15ms > 10ms"}}
	base.Notes = []string{"the data source ran out"}
	target.Monitor = &result.Monitor{Warnings: []string{"monitor busy: no data for 9 s"}}
	stress.Capacity = &result.Capacity{Warnings: []string{"the points are few"}}
	stress.Verdict.Stress.FirstBroken = ptr(4)
	lines := DoubtLines(r)
	want := []string{
		"loadplan: warning: baseline old.json, judged again by today's rules: x",
		"loadplan: warning: baseline: INVALID measurement, the generator was the bottleneck: start lateness p99 15ms > 10ms",
		"loadplan: warning: baseline: the data source ran out",
		"loadplan: " + target.Verdict.Answer,
		"loadplan: warning: target: monitor busy: no data for 9 s",
		"loadplan: warning: stress: the points are few",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("doubt lines:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}

	stress.Verdict.Stress.FirstBroken = nil // no step broke: a lower bound
	if ds := Doubts(r); len(ds) != 7 || !ds[5].Case || ds[5].Text != stress.Verdict.Answer {
		t.Errorf("a stress capacity that is a lower bound is no doubt: %+v", ds)
	}

	var b strings.Builder
	if err := JUnit(&b, r); err != nil {
		t.Fatal(err)
	}
	x := b.String()
	for suite, errs := range map[string]string{
		"baseline": "warning: baseline old.json, judged again by today&#39;s rules: x&#xA;warning: INVALID measurement, the generator was the bottleneck: start lateness p99 15ms &gt; 10ms&#xA;warning: the data source ran out&#xA;",
		"target":   "warning: baseline old.json, judged again by today&#39;s rules: x&#xA;warning: monitor busy: no data for 9 s&#xA;",
		"stress":   "warning: baseline old.json, judged again by today&#39;s rules: x&#xA;warning: the points are few&#xA;",
	} {
		_, s, _ := strings.Cut(x, `<testsuite name="`+suite+`"`)
		s, _, _ = strings.Cut(s, "</testsuite>")
		if !strings.Contains(s, "<system-err>"+errs+"</system-err>") {
			t.Errorf("suite %s: want system-err %q in:\n%s", suite, errs, s)
		}
	}
}

// TestDoubtLinesCaveatAndAbort: a passing verdict's caveat (a stage too
// short for the p50_growth check) reaches stderr under -q and --json,
// naming its profile; the abort does not, since the run's exit error says
// it (it stays a Doubt for JUnit, as its own testcase).
func TestDoubtLinesCaveatAndAbort(t *testing.T) {
	r := junitFixture()
	base := &r.Profiles[0]
	base.Verdict = &result.Verdict{Pass: true, Answer: "baseline: PASS — meets its expectations; too short to tell", Caveat: "too short to tell"}
	r.Abort = &result.Abort{Profile: "target", Condition: "error_rate > 50% for 2s", Detail: "92%"}
	lines := strings.Join(DoubtLines(r), "\n")
	if !strings.Contains(lines, "loadplan: baseline: too short to tell") {
		t.Errorf("the caveat is not on stderr:\n%s", lines)
	}
	if strings.Contains(lines, "aborted") {
		t.Errorf("the abort is on stderr twice (the exit error says it):\n%s", lines)
	}
	abort := false
	for _, d := range Doubts(r) {
		abort = abort || d.Case && d.Exit && strings.HasPrefix(d.Text, "aborted during target")
	}
	if !abort {
		t.Errorf("the abort is no Doubt: %+v", Doubts(r))
	}
}
