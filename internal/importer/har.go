package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/loadplan/loadplan/internal/scenario"
)

// har is the part of a HAR 1.2 file (W3C draft "HTTP Archive") the
// importer reads.
type har struct {
	Log struct {
		Entries []harEntry `json:"entries"`
	} `json:"log"`
}

type harEntry struct {
	StartedDateTime string  `json:"startedDateTime"`
	Time            float64 `json:"time"` // ms
	ResourceType    string  `json:"_resourceType"`
	Request         struct {
		Method   string      `json:"method"`
		URL      string      `json:"url"`
		Headers  []harHeader `json:"headers"`
		PostData *struct {
			MimeType string `json:"mimeType"`
			Text     string `json:"text"`
		} `json:"postData"`
	} `json:"request"`
	Response struct {
		Status  int `json:"status"`
		Content struct {
			MimeType string `json:"mimeType"`
		} `json:"content"`
	} `json:"response"`
}

type harHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// HAR imports a HAR file's requests as one flow, in recorded order: those
// to the origin of the first page or API request, without static
// resources unless opt.IncludeStatic.
func HAR(data []byte, opt Options) (*Result, error) {
	// A UTF-8 byte-order mark (tools that write files the Windows way) is
	// no JSON value: without this the file was "not a HAR file: invalid
	// character 'ï'". It holds no line break, so lines stay the file's.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var h har
	if err := json.Unmarshal(data, &h); err != nil {
		return nil, harError(opt.Source, data, err)
	}
	if len(h.Log.Entries) == 0 {
		return nil, fmt.Errorf("%s: the HAR file has no entries (log.entries is empty)", opt.Source)
	}
	at := harPlaces{opt.Source, harEntryLines(data)}
	sec := newSecrets()
	taken := map[string]bool{}
	var (
		reqs                   []request
		origin                 string
		static, foreign, wrong int
		hosts                  = map[string]bool{}
		starts                 []time.Time
		ends                   []time.Time
	)
	for i, e := range h.Log.Entries {
		u, err := url.Parse(e.Request.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			wrong++
			continue
		}
		if !opt.IncludeStatic && isStatic(e, u) {
			static++
			continue
		}
		o := u.Scheme + "://" + u.Host
		if origin == "" {
			origin = o
		}
		if o != origin {
			foreign++
			hosts[u.Host] = true
			continue
		}
		if e.Request.Method == "" {
			return nil, fmt.Errorf("%s: log.entries[%d].request.method is empty", at.method(i), i)
		}
		method, err := scenario.CheckMethod(e.Request.Method)
		if err != nil {
			return nil, fmt.Errorf("%s: log.entries[%d].request.method: %v", at.method(i), i, err)
		}
		for j, hd := range e.Request.Headers {
			if keepHeader(hd.Name) {
				if err := scenario.CheckHeader(hd.Name, hd.Value); err != nil {
					return nil, fmt.Errorf("%s: log.entries[%d].request.headers[%d]: %v", at.header(i, j), i, j, err)
				}
			}
		}
		r := harRequest(sec, e, u, method, taken)
		start, _ := time.Parse(time.RFC3339Nano, e.StartedDateTime)
		starts = append(starts, start)
		ends = append(ends, start.Add(time.Duration(e.Time*float64(time.Millisecond))))
		reqs = append(reqs, r)
	}
	if len(reqs) == 0 {
		return nil, fmt.Errorf("%s: no request to import (%d static resources, %d not http(s); --include-static keeps static ones)", opt.Source, static, wrong)
	}
	if !opt.NoThink {
		setThinkTimes(reqs, starts, ends)
	}
	notes := harNotes(static, foreign, wrong, hosts)
	name := opt.Name
	if name == "" {
		name = scenarioName(strings.TrimSuffix(path.Base(opt.Source), path.Ext(opt.Source)))
	}
	escapeLiterals(reqs, sec.list)
	res := &Result{Secrets: sec.list, Notes: notes, Steps: len(reqs)}
	res.YAML = write(name, origin, reqs, true, headerLines("har", opt, len(reqs), len(h.Log.Entries), notes, sec.list), false)
	return res, nil
}

// harRequest is the step for a recorded entry e to u: its name (unique in
// taken), path, kept headers and body, with secrets replaced by variables
// in sec.
func harRequest(sec *secrets, e harEntry, u *url.URL, method string, taken map[string]bool) request {
	r := request{method: method, status: e.Response.Status}
	r.name = stepName(method, u.Path, taken)
	where := "step " + r.name
	r.path = sec.pathQuery(u, nil, where)
	for _, hd := range e.Request.Headers {
		if !keepHeader(hd.Name) || strings.EqualFold(hd.Name, "content-type") && e.Request.PostData == nil {
			continue
		}
		v := hd.Value
		if secretName(hd.Name, []string{"Authorization", "Proxy-Authorization", "X-Api-Key"}) {
			v = sec.header(hd.Name, v, "header "+hd.Name+" of "+where)
		}
		r.headers = append(r.headers, [2]string{canonical(hd.Name), v})
	}
	if pd := e.Request.PostData; pd != nil && pd.Text != "" {
		r.body = body(sec, pd.MimeType, pd.Text, where)
		if !hasHeader(r.headers, "Content-Type") && pd.MimeType != "" {
			r.headers = append(r.headers, [2]string{"Content-Type", pd.MimeType})
		}
	}
	return r
}

// setThinkTimes sets the pause after each request to the gap to the next
// one's start, as the user left it (negative when the browser overlapped
// them, and then none); starts and ends are the requests' recorded times.
func setThinkTimes(reqs []request, starts, ends []time.Time) {
	for i := 0; i+1 < len(reqs); i++ {
		if !starts[i+1].IsZero() && !ends[i].IsZero() {
			if gap := starts[i+1].Sub(ends[i]); gap > 0 && gap < 10*time.Minute {
				reqs[i].think = gap
			}
		}
	}
}

// harNotes says what the import left out: static resources, requests to
// other hosts (named), entries that are not http(s) requests; and that
// cookies are not copied.
func harNotes(static, foreign, wrong int, hosts map[string]bool) []string {
	var notes []string
	if static > 0 {
		notes = append(notes, fmt.Sprintf("%d static resources (images, scripts, styles, fonts) left out: --include-static keeps them.", static))
	}
	if foreign > 0 {
		var hs []string
		for h := range hosts {
			hs = append(hs, h)
		}
		sortStrings(hs)
		notes = append(notes, fmt.Sprintf("%d requests to other hosts left out (%s): a scenario has one target.", foreign, strings.Join(hs, ", ")))
	}
	if wrong > 0 {
		notes = append(notes, fmt.Sprintf("%d entries that are not http(s) requests left out.", wrong))
	}
	return append(notes, "Cookies are not copied: each virtual user's cookie jar keeps those the server sets.")
}

// isStatic reports whether a recorded entry is a static resource.
func isStatic(e harEntry, u *url.URL) bool {
	switch e.ResourceType {
	case "image", "stylesheet", "script", "font", "media", "manifest", "texttrack":
		return true
	case "document", "xhr", "fetch":
		return false
	}
	mt, _, _ := mime.ParseMediaType(e.Response.Content.MimeType)
	switch {
	case strings.HasPrefix(mt, "image/"), strings.HasPrefix(mt, "font/"), strings.HasPrefix(mt, "video/"), strings.HasPrefix(mt, "audio/"),
		mt == "text/css", mt == "text/javascript", mt == "application/javascript", mt == "application/x-javascript":
		return true
	}
	switch strings.ToLower(path.Ext(u.Path)) {
	case ".js", ".mjs", ".css", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".webp", ".woff", ".woff2", ".ttf", ".map":
		return true
	}
	return false
}

func hasHeader(hs [][2]string, name string) bool {
	for _, h := range hs {
		if strings.EqualFold(h[0], name) {
			return true
		}
	}
	return false
}

// canonical writes a header name as HTTP/1.1 would (HAR files from HTTP/2
// pages have them in lower case).
func canonical(name string) string {
	parts := strings.Split(strings.ToLower(name), "-")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "-")
}

// harError names the file, the line and, for a value of the wrong type,
// the key of a HAR that does not decode (a recording cut short, a hand
// edit): file:line: key: what.
func harError(file string, data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	line := func(off int64) int { return bytes.Count(data[:min(max(off, 0), int64(len(data)))], []byte("\n")) + 1 }
	switch {
	case strings.Contains(err.Error(), "unexpected end of JSON input"):
		return fmt.Errorf("%s:%d: not a HAR file: it ends early (cut short?)", file, line(int64(len(data))))
	case errors.As(err, &syn):
		return fmt.Errorf("%s:%d: not a HAR file: %v", file, line(syn.Offset), err)
	case errors.As(err, &typ):
		return fmt.Errorf("%s:%d: %s: not a HAR file: want a %s, got a JSON %s", file, line(typ.Offset), strings.TrimPrefix(typ.Field, "."), typ.Type, typ.Value)
	}
	return fmt.Errorf("%s: not a HAR file: %v", file, err)
}
