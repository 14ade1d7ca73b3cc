package main

import (
	"context"
	"strings"
	"testing"
)

// Asked-for help goes to stdout, exits 0 and ends with examples; usage shown
// for a mistake still goes to stderr.
func TestHelpGoesToStdoutWithExamples(t *testing.T) {
	var asks [][]string
	for _, c := range commands() {
		asks = append(asks, []string{c.name, "--help"}, []string{c.name, "-h"}, []string{"help", c.name})
	}
	asks = append(asks, []string{"--help"}, []string{"capacity", "fit", "--help"}, []string{"capacity", "erlang", "-h"}, []string{"capacity", "r.json", "--help"})
	for _, args := range asks {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			env, out, errb := testEnv(nil)
			if code := Run(context.Background(), args, env); code != ExitOK {
				t.Fatalf("exit %d, want 0; stderr:\n%s", code, errb)
			}
			if errb.Len() != 0 {
				t.Errorf("help wrote on stderr:\n%s", errb)
			}
			if !strings.Contains(out.String(), "Usage") || !strings.Contains(out.String(), "\nExamples:\n  loadplan ") {
				t.Errorf("help on stdout lacks the usage or an example:\n%s", out)
			}
		})
	}
	env, out, errb := testEnv(nil)
	if code := Run(context.Background(), []string{"plan"}, env); code != ExitUsage || out.Len() != 0 || !strings.Contains(errb.String(), "Usage: loadplan plan") {
		t.Errorf("a mistake: exit %d (want 2), stdout %q, stderr %q: the usage belongs on stderr", code, out, errb)
	}
}

// plan takes -f for --format, as report and compare do.
func TestPlanFormatShortFlag(t *testing.T) {
	env, _, errb := testEnv(nil)
	Run(context.Background(), []string{"plan", "-f", "md", "missing.json"}, env)
	if strings.Contains(errb.String(), "unknown shorthand flag") {
		t.Errorf("plan -f is not a flag:\n%s", errb)
	}
}
