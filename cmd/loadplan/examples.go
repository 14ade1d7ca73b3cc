package main

import (
	"fmt"
	"io"
)

// commandExamples are the examples a command's help ends with, by the flag
// set's name ("capacity fit" for a subcommand).
func commandExamples(name string) []string {
	return map[string][]string{
		"run": {
			"loadplan run scenarios/demo.yaml --profile baseline --out reports/demo",
			"loadplan run --url http://127.0.0.1:8080/ --rate 200 --duration 30s --gate 'p95<300ms'",
		},
		"validate":        {"loadplan validate scenarios/*.yaml"},
		"sim":             {"loadplan sim --listen 127.0.0.1:8080 --workers 16 --service-time 10ms"},
		"capacity":        {"loadplan capacity reports/demo/result.json --json"},
		"capacity fit":    {"loadplan capacity fit points.csv --seed 1"},
		"capacity erlang": {"loadplan capacity erlang --rate 400 --service-time 120ms --target-wait 50ms"},
		"report": {
			"loadplan report reports/demo/result.json -f html,md --out /tmp/demo",
		},
		"compare": {"loadplan compare old/result.json new/result.json --max-regression 5%"},
		"merge":   {"loadplan merge merged.json seg-1/result.json seg-2/result.json"},
		"plan": {
			"loadplan plan reports/demo/result.json --growth 20%/mo --horizon 18mo",
			"loadplan plan reports/demo/result.json --history peaks.csv -f md,csv --out plans/",
		},
		"import":     importExamples,
		"schema":     {"loadplan schema > loadplan.schema.json"},
		"version":    {"loadplan version"},
		"completion": {"loadplan completion bash > /etc/bash_completion.d/loadplan", "loadplan completion fish > ~/.config/fish/completions/loadplan.fish"},
	}[name]
}

// printExamples ends a command's help with its examples.
func printExamples(w io.Writer, name string) {
	ex := commandExamples(name)
	if len(ex) == 0 {
		return
	}
	fmt.Fprintln(w, "\nExamples:")
	for _, e := range ex {
		fmt.Fprintf(w, "  %s\n", e)
	}
}
