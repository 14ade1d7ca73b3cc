package main

import (
	"context"
	"io"

	"github.com/spf13/pflag"

	"github.com/loadplan/loadplan/internal/completion"
)

// cmdCompletion prints a shell completion script made from the commands'
// own flag sets.
func cmdCompletion(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "completion", "bash|zsh|fish")
	if err := parseArgs(fs, args, 1, 1, "completion needs one shell: bash, zsh or fish"); err != nil {
		return err
	}
	if err := completion.Write(env.Stdout, fs.Arg(0), "loadplan", completionCommands(ctx, env)); err != nil {
		return &UsageError{Err: err}
	}
	return nil
}

// completionCommands describes every command with the flag set it makes:
// each is asked for its help (which parses its flags and returns before
// doing anything) with an Env that hands over the flag set.
func completionCommands(ctx context.Context, env *Env) []completion.Command {
	sets := map[string]*pflag.FlagSet{}
	probe := &Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: env.Getenv, LookupEnv: env.LookupEnv, Now: env.Now,
		onFlags: func(name string, fs *pflag.FlagSet) { sets[name] = fs }}
	var cmds, subs []completion.Command
	for _, c := range commands() {
		cmd := completion.Command{Name: c.name, Summary: c.summary}
		switch c.name {
		case "help":
			for _, other := range commands() {
				cmd.Args = append(cmd.Args, other.name)
			}
		case "capacity": // its subcommands, then a result file's flags
			for _, sub := range []struct{ name, summary string }{{"fit", "fit the Universal Scalability Law to a concurrency,throughput CSV"}, {"erlang", "size an M/M/c queue with Erlang C"}} {
				c.run(ctx, probe, []string{sub.name, "--help"})
				subs = append(subs, completion.Command{Name: "capacity " + sub.name, Summary: sub.summary, Flags: sets["capacity "+sub.name]})
			}
			c.run(ctx, probe, []string{"RESULT.json", "--help"})
		case "completion":
			cmd.Args = completion.Shells()
			fallthrough
		default:
			c.run(ctx, probe, []string{"--help"})
		}
		cmd.Flags = sets[c.name]
		cmds = append(cmds, cmd)
	}
	return append(cmds, subs...)
}
