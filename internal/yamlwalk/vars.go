package yamlwalk

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// Runtime resolves references that are not environment variables while a
// text is expanded (a scenario's flow variables); nil: none.
type Runtime interface {
	// Reserved returns characters a text must not hold, and the message
	// for one that does ("" for none).
	Reserved() (chars, msg string)
	// Resolve returns the text that stands for ${ref} and true when ref
	// is a runtime reference ("" after reporting an error in it), false to
	// leave ref to the environment.
	Resolve(ref string, n *yaml.Node, path string) (mark string, handled bool)
	// Unknown reports a variable set neither at runtime nor in the
	// environment in its own words and returns true, or returns false for
	// the walker's "environment variable is not set".
	Unknown(name string, n *yaml.Node, path string) bool
}

// secretPrefix marks a variable whose value must never be shown:
// ${secret:TOKEN}.
const secretPrefix = "secret:"

// expand replaces ${VAR}, ${VAR:-default}, ${secret:VAR},
// ${secret:VAR:-default} and $$ in s, the text of the scalar n at path.
// As in the shell, the default is used when VAR is unset or empty. The
// default runs to the first }, and may not contain ${. A $ that is followed
// by neither { nor $ is kept as it is.
//
// secret reports whether any substituted value came from a secret variable;
// such values are recorded in w's secret list as they are found, and where
// they went in the text (SecretSpans). Without
// a Lookup, s is returned as written.
func (w *Walker) Expand(s string, n *yaml.Node, path string) (out string, secret, ok bool) {
	if w.Runtime != nil {
		if chars, msg := w.Runtime.Reserved(); chars != "" && strings.ContainsAny(s, chars) {
			w.Errorf(n, path, "%s", msg)
			return "", false, false
		}
	}
	if w.Lookup == nil || !strings.Contains(s, "$") {
		return s, false, true
	}
	var b strings.Builder
	var spans []Span // where secret values went
	ok = true
	for i := 0; i < len(s); {
		c := s[i]
		if c != '$' || i+1 >= len(s) {
			b.WriteByte(c)
			i++
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i += 2
			continue
		case '{':
		default:
			b.WriteByte(c)
			i++
			continue
		}
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 {
			w.Errorf(n, path, "unterminated ${ (write $$ for a literal $)")
			return "", false, false
		}
		ref := s[i+2 : i+2+end]
		i += 2 + end + 1
		if w.Runtime != nil {
			// Runtime references (a scenario's extracted variables, data
			// columns, generators) become the Runtime's markers.
			if mark, handled := w.Runtime.Resolve(ref, n, path); handled {
				if mark == "" {
					ok = false
				}
				b.WriteString(mark)
				continue
			}
		}

		val, isSecret, resolved := w.variable(ref, n, path)
		if !resolved {
			ok = false
			continue
		}
		secret = secret || isSecret
		if isSecret && val != "" {
			spans = append(spans, Span{Start: b.Len(), End: b.Len() + len(val)})
		}
		b.WriteString(val)
	}
	if !ok {
		return "", secret, false
	}
	out = b.String()
	w.AddSecretSpans(out, spans)
	return out, secret, true
}

// variable is the value of the reference ref (the text inside ${...}): an
// environment variable, its default, or a secret one, which it records in
// w's secret list. It reports an error in ref and returns false when ref
// is not a valid, set variable.
func (w *Walker) variable(ref string, n *yaml.Node, path string) (val string, isSecret, ok bool) {
	if rest, found := strings.CutPrefix(ref, secretPrefix); found {
		isSecret = true
		ref = rest
	}
	name, def, hasDefault := strings.Cut(ref, ":-")
	if !validVarName(name) {
		w.Errorf(n, path, "invalid variable name %q in ${...} (letters, digits and _, not starting with a digit; write ${VAR:-default} for a default, $$ for a literal $)", name)
		return "", false, false
	}
	if strings.Contains(def, "${") {
		w.Errorf(n, path, "the default of ${%s:-...} cannot contain ${...}", name)
		return "", false, false
	}
	val, set := w.Lookup(name)
	switch {
	case set && val != "":
	case hasDefault:
		val = def
	case set:
		// Set but empty, and no default: the empty value is what was asked for.
	case w.Runtime != nil && !isSecret && w.Runtime.Unknown(name, n, path):
		return "", false, false
	default:
		prefix := ""
		if isSecret {
			prefix = secretPrefix // the default it suggests stays a secret
		}
		w.Errorf(n, path, "environment variable %s is not set (write ${%s%s:-default} to give a default)", name, prefix, name)
		return "", false, false
	}
	if isSecret {
		w.AddSecret(val)
		if _, known := w.secretVars[val]; !known && val != "" {
			if w.secretVars == nil {
				w.secretVars = make(map[string]string)
			}
			w.secretVars[val] = name
		}
	}
	return val, isSecret, true
}

// ValidVarName reports whether s is a variable name: letters, digits and
// _, not starting with a digit.
func ValidVarName(s string) bool { return validVarName(s) }

func validVarName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
