package scenario

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

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
// such values are recorded in p's secret list as they are found.
func (p *parser) expand(s string, n *yaml.Node, path string) (out string, secret, ok bool) {
	if p.rt != nil && strings.ContainsAny(s, markOpen+markClose) {
		p.errorf(n, path, "must not contain U+E000 or U+E001 (loadplan marks runtime variables with them)")
		return "", false, false
	}
	if !strings.Contains(s, "$") {
		return s, false, true
	}
	var b strings.Builder
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
			p.errorf(n, path, "unterminated ${ (write $$ for a literal $)")
			return "", false, false
		}
		ref := s[i+2 : i+2+end]
		i += 2 + end + 1
		if p.rt != nil {
			// Inside a request of a flow: runtime references (extracted
			// variables, data columns, generators) become markers that
			// compileTemplate turns into segments (flowvars.go).
			if mark, handled := p.rt.resolve(p, ref, n, path); handled {
				if mark == "" {
					ok = false
				}
				b.WriteString(mark)
				continue
			}
		}

		isSecret := false
		if rest, found := strings.CutPrefix(ref, secretPrefix); found {
			isSecret = true
			ref = rest
		}
		name, def, hasDefault := strings.Cut(ref, ":-")
		if !validVarName(name) {
			p.errorf(n, path, "invalid variable name %q in ${...} (letters, digits and _, not starting with a digit; write ${VAR:-default} for a default, $$ for a literal $)", name)
			ok = false
			continue
		}
		if strings.Contains(def, "${") {
			p.errorf(n, path, "the default of ${%s:-...} cannot contain ${...}", name)
			ok = false
			continue
		}
		val, set := p.lookup(name)
		switch {
		case set && val != "":
		case hasDefault:
			val = def
		case set:
			// Set but empty, and no default: the empty value is what was asked for.
		case p.rt != nil && p.rt.vars != nil && !isSecret:
			p.errorf(n, path, "unknown variable ${%s}: not extracted by an earlier step, not data.NAME.column or a generator (uuid, seq, random_int:A:B), and not set in the environment", name)
			ok = false
			continue
		default:
			p.errorf(n, path, "environment variable %s is not set (write ${%s:-default} to give a default)", name, name)
			ok = false
			continue
		}
		if isSecret {
			secret = true
			p.addSecret(val)
			if _, known := p.secretVars[val]; !known && val != "" {
				if p.secretVars == nil {
					p.secretVars = make(map[string]string)
				}
				p.secretVars[val] = name
			}
		}
		b.WriteString(val)
	}
	if !ok {
		return "", secret, false
	}
	return b.String(), secret, true
}

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

// addSecret records a value that must never appear in output. Empty values
// are not recorded: redacting "" would mean nothing, or everything.
func (p *parser) addSecret(v string) {
	if v == "" || p.secretSet[v] {
		return
	}
	if p.secretSet == nil {
		p.secretSet = make(map[string]bool)
	}
	p.secretSet[v] = true
	p.secrets = append(p.secrets, v)
}

// redact replaces every known secret in s with ***. It is the last line of
// defence for error messages: values known to be secret are already shown
// as *** where they are quoted.
func redact(s string, secrets []string) string {
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, "***")
	}
	return s
}
