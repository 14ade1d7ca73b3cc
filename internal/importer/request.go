package importer

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/loadplan/loadplan/internal/scenario"
)

// MaxHAR bounds the HAR file Import reads (recordings keep response
// bodies, so they are larger than scenario files).
const MaxHAR = 64 << 20

// Request is `loadplan import`'s question.
type Request struct {
	Kind    string // "har" or "curl"
	Source  string // the HAR file, or the curl command
	Options        // Source is set by Import
	// LookupEnv reads the environment when the scenario is checked (the
	// secrets it references that are not set are given a placeholder).
	LookupEnv func(string) (string, bool)
}

// InputError is a source that cannot be imported, or an output file that
// is there already (a usage error, exit 2).
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// Import writes the scenario of a HAR file or a curl command and checks
// that it is one loadplan reads (parsed with placeholder secrets: the real
// ones are the user's to set). A scenario that does not parse is a bug of
// this package, reported as such.
func Import(req Request) (*Result, error) {
	var (
		res *Result
		err error
	)
	switch req.Kind {
	case "har":
		var data []byte
		if data, err = readLimited(req.Source, MaxHAR); err != nil {
			return nil, &InputError{err}
		}
		req.Options.Source = filepath.Base(req.Source)
		res, err = HAR(data, req.Options)
	case "curl":
		req.Options.Source = "a curl command"
		res, err = Curl(req.Source, req.Options)
	default:
		err = fmt.Errorf("import needs a kind and a source: har FILE.har, or curl 'curl ...'")
	}
	if err != nil {
		return nil, &InputError{err}
	}
	if _, perr := scenario.Parse("imported.yaml", res.YAML, placeholderSecrets(req.LookupEnv, res.Secrets, res.Env)); perr != nil {
		return nil, fmt.Errorf("the imported scenario does not validate (a bug in import: please report it with the source):\n%v", perr)
	}
	return res, nil
}

// placeholderSecrets resolves the imported secrets' variables that are not
// set yet, and the other variables it references (env), so that the
// scenario parses before the user sets them.
func placeholderSecrets(lookup func(string) (string, bool), secrets []Secret, env []string) func(string) (string, bool) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	return func(name string) (string, bool) {
		if v, ok := lookup(name); ok {
			return v, true
		}
		for _, s := range secrets {
			if s.Name == name {
				return "placeholder", true
			}
		}
		if slices.Contains(env, name) {
			return "placeholder", true
		}
		return "", false
	}
}

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than %d MiB", path, limit>>20)
	}
	return data, nil
}

// WriteScenario writes data to path, or to w when path is empty; an
// existing file is an *InputError unless force.
func WriteScenario(w io.Writer, path string, force bool, data []byte) error {
	if path == "" {
		_, err := w.Write(data)
		return err
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		if os.IsExist(err) {
			return &InputError{fmt.Errorf("%s exists: choose another --out or add --force", path)}
		}
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
