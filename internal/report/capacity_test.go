package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// fitPoints are a model's points, one (concurrency, throughput,
// predicted) a step, from step 0.
func fitPoints(rows [][3]float64) []result.CapacityPoint {
	out := make([]result.CapacityPoint, len(rows))
	for i, r := range rows {
		out[i] = result.CapacityPoint{Step: i, Concurrency: r[0], Throughput: r[1], Predicted: r[2]}
	}
	return out
}

// capacityCases are capacity models as FromProfile builds them, written out
// by hand so the golden file does not move with the fit's last digits.
func capacityCases() []struct {
	name string
	c    *result.Capacity
} {
	return []struct {
		name string
		c    *result.Capacity
	}{
		{"peak, with intervals, limited by the SLO", &result.Capacity{
			Points: fitPoints([][3]float64{{2, 186, 189.1}, {6, 455, 457.3}, {10, 611, 612.6}, {16, 719, 717.2}, {22, 740, 739.5}, {30, 717, 716.4}, {40, 661, 659.8}}),
			Sigma:  0.0498172, Kappa: 0.00200413, Lambda: 99.6521, Limit: "peak",
			PeakConcurrency: ptr(21.7731), MaxThroughput: ptr(739.612), R2: 0.99871,
			Residuals: []float64{-3.1, -2.3, -1.6, 1.8, 0.5, 0.6, 1.2},
			CI: &result.CapacityCI{Level: 0.95, Resamples: 500,
				Sigma: [2]float64{0.04412, 0.05531}, Kappa: [2]float64{0.001912, 0.002093}, Lambda: [2]float64{97.01, 102.3},
				PeakConcurrency: &[2]float64{21.21, 22.38}, MaxThroughput: &[2]float64{735.2, 744.1}},
			Knee:          &result.CapacityKnee{Concurrency: 9.2311, Throughput: 590.44, KneedleConcurrency: ptr(10.0)},
			CapacityAtSLO: 545, ConcurrencyAtSLO: 8, Headroom: ptr(0.26313), LimitedBy: "slo",
			Statement: "USL fit over 7 steps (R² 0.999): peak 740 req/s at 21.8 users (95% CI 735–744); capacity at SLO 545 req/s at 8 users leaves 26% headroom: the SLO binds first (step 5 at 10 users broke: latency)",
		}},
		{"ceiling, no intervals, limited by throughput", &result.Capacity{
			Points: fitPoints([][3]float64{{4.1, 400, 398.2}, {8.7, 720, 724.9}, {14.2, 1010, 1005.3}, {31.5, 1390, 1392.7}}),
			Sigma:  0.0612, Kappa: 0, Lambda: 101.2, Limit: "ceiling",
			MaxThroughput: ptr(1653.6), R2: 0.9991,
			Residuals:     []float64{1.8, -4.9, 4.7, -2.7},
			Knee:          &result.CapacityKnee{Concurrency: 15.34, Throughput: 826.8},
			CapacityAtSLO: 1500, ConcurrencyAtSLO: 31.5, Headroom: ptr(0.0929), LimitedBy: "throughput",
			Statement: "USL fit over 4 steps (R² 0.999): no peak in range (κ = 0), ceiling λ/σ = 1,654 req/s; capacity at SLO 1,500 req/s at 31.5 in flight leaves 9% headroom: the throughput ceiling binds first",
			Warnings:  []string{"only 4 concurrency levels: three coefficients from so few points are poorly determined; measure at 6 or more"},
		}},
		{"linear", &result.Capacity{
			Points: fitPoints([][3]float64{{1, 50, 50}, {2, 100, 100}, {3, 150, 150}, {4, 200, 200}}),
			Lambda: 50, Limit: "linear", R2: 1, Residuals: []float64{0, 0, 0, 0},
			CapacityAtSLO: 200, ConcurrencyAtSLO: 4, LimitedBy: "slo",
			Statement: "USL fit over 4 steps (R² 1): throughput still linear (σ = κ = 0), no ceiling in range; capacity at SLO 200 req/s at 4 users and no step broke: load further",
		}},
		{"refused", &result.Capacity{
			Error:         "need at least 4 distinct concurrency levels to fit σ, κ and λ, got 3",
			Points:        fitPoints([][3]float64{{2, 186, 0}, {4, 337, 0}, {6, 455, 0}}),
			CapacityAtSLO: 337, ConcurrencyAtSLO: 4,
			Statement: "no USL fit over 3 step(s): need at least 4 distinct concurrency levels to fit σ, κ and λ, got 3; capacity at SLO 337 req/s at 4 users",
			Warnings:  []string{"1 step(s) left out of the fit: not complete (the ramp stopped or the run was interrupted during them)"},
		}},
		{"linear-then-ceiling, open model, saturation measured", &result.Capacity{
			Points: fitPoints([][3]float64{{4.9, 480, 485.1}, {5.7, 560, 564.3}, {6.5, 640, 643.5}, {7.3, 720, 722.7}, {12.7, 791, 791}}),
			Lambda: 99, Limit: "ceiling", MaxThroughput: ptr(790.0), R2: 0.9995,
			// The open model's X_max is the measured saturation, its interval
			// from the steps past it (capacity.FromProfile).
			CI:            &result.CapacityCI{Level: 0.95, Resamples: 500, Lambda: [2]float64{98.1, 99.6}, MaxThroughput: &[2]float64{772, 807}},
			Residuals:     []float64{-5.1, -4.3, -3.5, -2.7, 0},
			Knee:          &result.CapacityKnee{Concurrency: 7.99, Throughput: 791},
			CapacityAtSLO: 720, ConcurrencyAtSLO: 7.3, Headroom: ptr(0.0887), LimitedBy: "throughput",
			Model: "ceiling", ModelReason: "lowest AIC (too few points for AICc) of the models without a peak (linear 66.0, ceiling 42.3, amdahl 44.4, usl 34.2)",
			SaturationThroughput: ptr(790.0),
			Statement:            "Linear-then-ceiling fit over 5 steps (R² 0.999): the steady steps cannot show the ceiling; the steps that could not keep up measured it at 790 req/s (95% CI 772–807); capacity at SLO 720 req/s at 7.3 in flight leaves 9% headroom: the throughput ceiling binds first",
			Warnings:             []string{"X_max is the saturation throughput measured by step(s) 10, 11, which could not keep up with their offered rate (95% CI from each step's counting noise and the steps' spread), not the ceiling model's 791 req/s, drawn among steps that kept up and so cannot show the ceiling"},
		}},
	}
}

func TestCapacityMarkdownGolden(t *testing.T) {
	var got bytes.Buffer
	for _, tc := range capacityCases() {
		got.WriteString("<!-- case: " + tc.name + " -->\n\n")
		if err := CapacityMarkdown(&got, tc.c, nil); err != nil {
			t.Fatal(err)
		}
		got.WriteString("\n")
	}
	// golden and -update are shared with the summary test (summary_test.go).
	golden(t, "capacity.golden.md", got.Bytes())
}

// TestCapacityMarkdownContent checks what the golden file could silently
// lose: every figure a reviewer needs is on the page.
func TestCapacityMarkdownContent(t *testing.T) {
	cases := capacityCases()
	tests := []struct {
		c      *result.Capacity
		want   []string
		absent []string
	}{
		{cases[0].c, []string{"### Capacity model", "**USL fit over 7 steps", "| 95% CI |", "| σ (contention) | 0.04982 | 0.04412 – 0.05531 |",
			"| N* (peak concurrency) | 21.77 | 21.21 – 22.38 |", "| X_max (throughput at N*) | 739.6 req/s | 735.2 – 744.1 |",
			"| R² | 0.9987 |", "Kneedle on the measurements: N = 10", "| capacity at SLO | 545 req/s at N = 8 |", "| headroom | 26.3% of X_max |",
			"| 5 | 22 | 740.0 | 739.5 | 0.5 |"}, nil},
		{cases[1].c, []string{"none (κ = 0: no retrograde region)", "X_max (ceiling λ/σ) | 1654 req/s", "| headroom | 9.3% of X_max |", "limited by | throughput", "- **warning:** only 4"}, []string{"CI |"}},
		{cases[2].c, []string{"none: linear, no ceiling in range", "| headroom | not computed: no X_max reported |", "knee | none (linear)"}, nil},
		{cases[4].c, []string{"| model | ceiling: lowest AIC", "| X_max (measured saturation) | 790 req/s, from the steps that could not keep up | 772 – 807 |",
			"| saturation throughput | 790 req/s, measured by the steps that could not keep up |", "| headroom | 8.9% of the saturation throughput |"}, []string{"σ (contention)", "κ (coherency)"}},
		{cases[3].c, []string{"**no USL fit over 3 step(s): need at least 4", "| capacity at SLO | 337 req/s at N = 4 |", "| 3 | 6 | 455.0 |"}, []string{"predicted", "σ (contention)", "No model was fitted"}},
	}
	for i, tt := range tests {
		var b bytes.Buffer
		if err := CapacityMarkdown(&b, tt.c, nil); err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("case %d lacks %q:\n%s", i, w, b.String())
			}
		}
		for _, w := range tt.absent {
			if strings.Contains(strings.ReplaceAll(b.String(), tt.c.Statement, ""), w) {
				t.Errorf("case %d has %q:\n%s", i, w, b.String())
			}
		}
	}
	var b bytes.Buffer
	if err := CapacityMarkdown(&b, nil, nil); err != nil || b.Len() != 0 {
		t.Errorf("nil model wrote %q, %v", b.String(), err)
	}
}

// The "limited by" row of a ramp where no step broke says that nothing
// was seen to limit the capacity (a lower bound), not that the SLO binds;
// unless its capacity step held only for want of evidence
// (stress.capacity_unproven): then no lower bound either. With a broken
// step, or no verdict at hand, it keeps the model's limit.
func TestCapacityLimitedByNoStepBroke(t *testing.T) {
	c := capacityCases()[2].c // linear, no ceiling in range, limited by the SLO
	broken := 4
	for _, tc := range []struct {
		name string
		s    *result.Stress
		want string
	}{
		{"no step broke", &result.Stress{CapacityAtSLO: c.CapacityAtSLO}, "| limited by | not measured: no step broke, so the capacity at SLO (" + sig4(c.CapacityAtSLO) + " req/s) is a lower bound; extend the ramp to find what binds |"},
		{"no step broke, the capacity step unproven", &result.Stress{CapacityAtSLO: c.CapacityAtSLO, CapacityUnproven: true}, "| limited by | not measured: no step broke by the rules, but the capacity step held only for want of evidence (the verdict's caveat), so the capacity at SLO (" + sig4(c.CapacityAtSLO) + " req/s) is no lower bound: the capacity may be below it as well as above; longer steps tell |"},
		{"a step broke", &result.Stress{CapacityAtSLO: c.CapacityAtSLO, FirstBroken: &broken}, "| limited by | SLO: latency, errors or a plateau break it before the ceiling |"},
		{"no verdict", nil, "| limited by | SLO: latency, errors or a plateau break it before the ceiling |"},
	} {
		var b bytes.Buffer
		if err := CapacityMarkdown(&b, c, tc.s); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), tc.want) {
			t.Errorf("%s: lacks %q:\n%s", tc.name, tc.want, b.String())
		}
	}
}

// TestCapacityMarkdownNoBootstrapNoCoefficientInterval: an open-model
// ramp with too few steady steps for a bootstrap (fewer than six) still
// has the saturation's interval, so the table has a CI column; λ has no
// interval then and must not read "0 – 0" (measured: 4 steady steps
// against loadplan sim --workers 8 --service-time 20ms printed
// "λ (one worker) | 47.7 req/s | 0 – 0").
func TestCapacityMarkdownNoBootstrapNoCoefficientInterval(t *testing.T) {
	c := &result.Capacity{
		Points: fitPoints([][3]float64{{4.2, 199.3, 201.8}, {5.2, 249.8, 247.2}, {6.3, 300.5, 301}, {8.1, 350, 350}}),
		Lambda: 47.7, Limit: "ceiling", MaxThroughput: ptr(392.3), R2: 0.9989,
		CI:            &result.CapacityCI{Level: 0.95, MaxThroughput: &[2]float64{379.4, 405.3}},
		CapacityAtSLO: 350, ConcurrencyAtSLO: 8.1, Headroom: ptr(0.108), LimitedBy: "throughput",
		Model: "ceiling", ModelReason: "lowest AIC", SaturationThroughput: ptr(392.3),
		Statement: "Linear-then-ceiling fit over 4 steps",
	}
	var b bytes.Buffer
	if err := CapacityMarkdown(&b, c, nil); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, w := range []string{"| λ (one worker) | 47.7 req/s |  |", "| 379.4 – 405.3 |"} {
		if !strings.Contains(out, w) {
			t.Errorf("missing %q in\n%s", w, out)
		}
	}
	if strings.Contains(out, "0 – 0") {
		t.Errorf("an interval of 0 – 0 printed without a bootstrap:\n%s", out)
	}
}

// TestCapacityMarkdownKneeOfAnUnmeasuredCeiling: an open ceiling model
// whose ceiling no step measured has no knee (capacity.FromProfile drops
// it, TestOpenKneeIsTheMeasuredCorner); the row says why rather than
// "none (linear)".
func TestCapacityMarkdownKneeOfAnUnmeasuredCeiling(t *testing.T) {
	c := &result.Capacity{
		Points: fitPoints([][3]float64{{2, 99.7, 92.6}, {3.3, 149.7, 152.9}, {4.3, 200.3, 199.5}, {7.6, 250.3, 274.9}, {6.7, 299.5, 274.9}}),
		Lambda: 46.32, Limit: "ceiling", R2: 0.9499, CapacityAtSLO: 200, ConcurrencyAtSLO: 4.3, LimitedBy: "slo",
		Model: "ceiling", ModelReason: "lowest AIC", Statement: "Linear-then-ceiling fit over 5 steps",
	}
	var b bytes.Buffer
	if err := CapacityMarkdown(&b, c, nil); err != nil {
		t.Fatal(err)
	}
	if want := "| knee | not reported: the corner of a ceiling no step measured |"; !strings.Contains(b.String(), want) {
		t.Errorf("missing %q in\n%s", want, b.String())
	}
}
