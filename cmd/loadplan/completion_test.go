package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var helpFlag = regexp.MustCompile(`(?m)^\s+(?:-(\S), )?--([A-Za-z0-9-]+)`)

// helpFlags reads a command's flags from its help text (not from the flag
// sets the scripts are made from): name → short, one letter or "".
func helpFlags(t *testing.T, args ...string) map[string]string {
	t.Helper()
	env, out, errb := testEnv(nil)
	if code := Run(context.Background(), append(args, "--help"), env); code != ExitOK {
		t.Fatalf("%v --help: exit %d\n%s", args, code, errb)
	}
	flags := map[string]string{}
	for _, m := range helpFlag.FindAllStringSubmatch(out.String(), -1) {
		flags[m[2]] = m[1]
	}
	if len(flags) == 0 {
		t.Fatalf("%v --help lists no flags:\n%s", args, out)
	}
	return flags
}

// scriptLine is the line of script that starts with prefix.
func scriptLine(script, prefix string) string {
	for _, l := range strings.Split(script, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// Every command, and every flag of each command as its help lists it,
// appears in each shell's script, in that command's part of it; bash's
// script passes bash -n and completes.
func TestCompletionCoversEveryCommandAndFlag(t *testing.T) {
	scripts := map[string]string{}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		env, out, errb := testEnv(nil)
		if code := Run(context.Background(), []string{"completion", sh}, env); code != ExitOK {
			t.Fatalf("completion %s: exit %d\n%s", sh, code, errb)
		}
		scripts[sh] = out.String()
	}
	commandFlags := map[string]map[string]string{
		"capacity":        helpFlags(t, "capacity", "RESULT.json"),
		"capacity fit":    helpFlags(t, "capacity", "fit"),
		"capacity erlang": helpFlags(t, "capacity", "erlang"),
	}
	for _, c := range commands() {
		if c.name != "help" && c.name != "capacity" {
			commandFlags[c.name] = helpFlags(t, c.name)
		}
		_, top, _ := strings.Cut(scriptLine(scripts["bash"], `    "")`), "compgen -W '")
		top, _, _ = strings.Cut(top, "'")
		if !strings.Contains(" "+top+" ", " "+c.name+" ") {
			t.Errorf("bash: command %s is not offered", c.name)
		}
		if !strings.Contains(scriptLine(scripts["zsh"], `    "")`), "'"+c.name+":") {
			t.Errorf("zsh: command %s is not offered", c.name)
		}
		if !strings.Contains(scripts["fish"], `-f -a '`+c.name+`' -d `) {
			t.Errorf("fish: command %s is not offered", c.name)
		}
	}
	for name, flags := range commandFlags {
		bash := " " + strings.SplitN(scriptLine(scripts["bash"], "    '"+name+"') flags='"), "'", 5)[3] + " "
		zsh := scriptLine(scripts["zsh"], "    '"+name+"') flags=(")
		for long, short := range flags {
			words := []string{"--" + long}
			fishWant := `__loadplan_is \'` + name + `\'' -l ` + long
			if short != "" {
				words = append(words, "-"+short)
				fishWant += " -s " + short
			}
			for _, w := range words {
				if !strings.Contains(bash, " "+w+" ") {
					t.Errorf("bash: %s %s is missing from %q", name, w, bash)
				}
				if !strings.Contains(zsh, "'"+w+":") {
					t.Errorf("zsh: %s %s is missing from %q", name, w, zsh)
				}
			}
			if !strings.Contains(scripts["fish"], fishWant) {
				t.Errorf("fish: %s --%s is missing (want %q)", name, long, fishWant)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "loadplan.bash")
	if err := os.WriteFile(path, []byte(scripts["bash"]), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("bash", "-n", path).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
	// The script completes: a flag of plan, a subcommand of capacity.
	probe := `t() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _loadplan; echo "${COMPREPLY[*]}"; }
t loadplan plan --fo; t loadplan capacity er; t loadplan capacity fit --re`
	out, err := exec.Command("bash", "-c", "source "+path+"\n"+probe).CombinedOutput()
	if err != nil || string(out) != "--format\nerlang\n--resamples\n" {
		t.Errorf("bash completions: %v\n%q, want \"--format\\nerlang\\n--resamples\\n\"", err, out)
	}
	// zsh and fish check their scripts' syntax where they are installed
	// (bash is the one this test requires).
	for sh, check := range map[string][]string{"zsh": {"zsh", "-n"}, "fish": {"fish", "--no-execute"}} {
		if _, err := exec.LookPath(check[0]); err != nil {
			t.Logf("%s not installed: its script's syntax is not checked here", sh)
			continue
		}
		p := filepath.Join(t.TempDir(), "loadplan."+sh)
		if err := os.WriteFile(p, []byte(scripts[sh]), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(check[0], append(check[1:], p)...).CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", strings.Join(check, " "), err, out)
		}
	}
}

func TestCompletionUnknownShell(t *testing.T) {
	env, out, errb := testEnv(nil)
	if code := Run(context.Background(), []string{"completion", "tcsh"}, env); code != ExitUsage || out.Len() != 0 || !strings.Contains(errb.String(), `"tcsh"`) {
		t.Errorf("completion tcsh: exit %d (want 2), stdout %q, stderr %q", code, out, errb)
	}
}
