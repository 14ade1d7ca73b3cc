package plan

import (
	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/yamlwalk"
)

// ParseScenario parses a scenario file and its plan: section in one walk
// (scenario.ParseWith): one list of errors, file:line:key, sorted and
// with secrets redacted, one ${VAR} lookup for both (nil: the
// environment), and the section typed. cfg is nil when the scenario has no
// plan: section. Its keys in later errors start with "plan.".
func ParseScenario(file string, data []byte, lookup func(string) (string, bool)) (sc *scenario.Scenario, cfg *Config, err error) {
	var p *parser
	sc, err = scenario.ParseWith(file, data, lookup, func(w *yamlwalk.Walker, v yamlwalk.Value) {
		p = &parser{Walker: w, lines: map[string]int{}}
		w.Lines = p.lines
		cfg = p.config(v, false)
		w.Lines = nil
	})
	if err != nil || cfg == nil {
		return sc, nil, err
	}
	cfg, err = p.finish(cfg, "plan")
	return sc, cfg, err
}

// LoadScenario reads the scenario file at path with its plan: section
// (see ParseScenario).
func LoadScenario(path string, lookup func(string) (string, bool)) (*scenario.Scenario, *Config, error) {
	data, err := scenario.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return ParseScenario(path, data, lookup)
}
