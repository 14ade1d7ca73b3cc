package internal_test

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// The guide's pages whose relative links are checked: README.md and
// docs/*.md (not docs/adr: the records are history).
var linkedPages = []string{"README.md", "docs/*.md"}

var (
	// mdLink is an inline link or image, [text](target) or
	// [text](target "title"); the text may run over lines.
	mdLink = regexp.MustCompile(`\[[^\[\]]*\]\(<?([^()\s<>]+)>?(?:\s+"[^"]*")?\)`)
	// codeSpan is inline code, which holds no link.
	codeSpan = regexp.MustCompile("``[^`]+``|`[^`\n]+`")
	// htmlAnchor is an anchor a page sets itself: <a id="x"> or <a name="x">.
	htmlAnchor = regexp.MustCompile(`<a\s+(?:id|name)="([^"]+)"`)
	heading    = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)
)

// TestDocLinksResolve: every relative link in README.md and docs/*.md
// names a file of the repository, and an anchor it gives is a heading (or
// an <a id>) of that page, as GitHub makes them; no link leaves the
// repository.
func TestDocLinksResolve(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	pages := pagesToCheck(t, root)
	if len(pages) < 10 {
		t.Fatalf("found only %d pages to check (%v): is the test running from internal/?", len(pages), pages)
	}
	anchors := map[string]map[string]bool{} // by repository path
	anchorsOf := func(rel string) (map[string]bool, error) {
		if a, ok := anchors[rel]; ok {
			return a, nil
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			return nil, err
		}
		anchors[rel] = pageAnchors(string(data))
		return anchors[rel], nil
	}
	checked := 0
	for _, page := range pages {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(page)))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range pageLinks(string(data)) {
			checked++
			if msg := checkLink(root, page, l.target, anchorsOf); msg != "" {
				t.Errorf("%s:%d: link %s: %s", page, l.line, l.target, msg)
			}
		}
	}
	if checked < 100 {
		t.Errorf("checked only %d links: is the link pattern still finding them?", checked)
	}
}

func pagesToCheck(t *testing.T, root string) []string {
	var pages []string
	for _, pattern := range linkedPages {
		matches, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(pattern)))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range matches {
			rel, err := filepath.Rel(root, m)
			if err != nil {
				t.Fatal(err)
			}
			pages = append(pages, filepath.ToSlash(rel))
		}
	}
	return pages
}

// checkLink says what is wrong with one link of page, or "".
func checkLink(root, page, target string, anchorsOf func(string) (map[string]bool, error)) string {
	if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
		return ""
	}
	file, anchor, _ := strings.Cut(target, "#")
	rel := page
	if file != "" {
		rel = path.Clean(path.Join(path.Dir(page), file))
	}
	if rel == ".." || strings.HasPrefix(rel, "../") || path.IsAbs(file) {
		return "points outside the repository"
	}
	info, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		return fmt.Sprintf("no such file %s", rel)
	}
	if anchor == "" || info.IsDir() || !strings.HasSuffix(rel, ".md") {
		return ""
	}
	a, err := anchorsOf(rel)
	if err != nil {
		return err.Error()
	}
	if !a[anchor] {
		return fmt.Sprintf("%s has no heading with the anchor #%s", rel, anchor)
	}
	return ""
}

type docLink struct {
	target string
	line   int
}

// pageLinks are the links of a Markdown page outside code blocks and
// inline code, with their lines.
func pageLinks(text string) []docLink {
	text = blankFences(text)
	text = codeSpan.ReplaceAllStringFunc(text, func(s string) string {
		return strings.Repeat(" ", len(s)) // keeps the offsets
	})
	var links []docLink
	for _, m := range mdLink.FindAllStringSubmatchIndex(text, -1) {
		links = append(links, docLink{target: text[m[2]:m[3]], line: 1 + strings.Count(text[:m[2]], "\n")})
	}
	return links
}

// blankFences empties the lines of fenced code blocks, keeping the line
// count.
func blankFences(text string) string {
	lines := strings.Split(text, "\n")
	fence := ""
	for i, line := range lines {
		trimmed := strings.TrimLeft(line, " ")
		switch {
		case fence == "" && (strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~")):
			fence = trimmed[:3]
			lines[i] = ""
		case fence != "":
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			lines[i] = ""
		}
	}
	return strings.Join(lines, "\n")
}

// pageAnchors are the anchors GitHub gives a page's headings (the second
// heading of a text gets -1, the third -2, …) and those it sets itself.
func pageAnchors(text string) map[string]bool {
	anchors := map[string]bool{}
	seen := map[string]int{}
	for _, line := range strings.Split(blankFences(text), "\n") {
		m := heading.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		slug := headingSlug(m[1])
		if n := seen[slug]; n > 0 {
			anchors[fmt.Sprintf("%s-%d", slug, n)] = true
		} else {
			anchors[slug] = true
		}
		seen[slug]++
	}
	for _, m := range htmlAnchor.FindAllStringSubmatch(text, -1) {
		anchors[m[1]] = true
	}
	return anchors
}

// headingSlug is GitHub's anchor of a heading: a link's text for the link,
// lower case, letters, marks, numbers, '-' and '_' kept, each space a '-',
// every other character dropped (an en dash too: 07:00–07:43 → 07000743).
func headingSlug(h string) string {
	h = mdLink.ReplaceAllStringFunc(h, func(s string) string { return s[1:strings.Index(s, "](")] })
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r) || unicode.Is(unicode.Pc, r) || r == '-':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// TestDocLinkChecker: the checker finds what it is for — a missing file, a
// missing anchor, a link out of the repository — and reads anchors and
// links as GitHub does.
func TestDocLinkChecker(t *testing.T) {
	headings := [][2]string{ // a heading and its anchor
		{"`loadplan version`, `loadplan help`", "loadplan-version-loadplan-help"},
		{"Rehearsal: `--scale`", "rehearsal---scale"},
		{"Why 20k lateness p99 misses (2026-12-06, 07:00–07:43)", "why-20k-lateness-p99-misses-2026-12-06-07000743"},
		{"The bottleneck: the utilisation law", "the-bottleneck-the-utilisation-law"},
		{"See [the guide](x.md) now", "see-the-guide-now"},
	}
	for _, h := range headings {
		if got := headingSlug(h[0]); got != h[1] {
			t.Errorf("headingSlug(%q) = %q, want %q", h[0], got, h[1])
		}
	}
	page := "# T\n\n## Same\n\n## Same\n\n```\n## Not a heading\n[no](nowhere.md)\n```\n\n<a id=\"set\"></a>\n"
	a := pageAnchors(page)
	for _, want := range []string{"t", "same", "same-1", "set"} {
		if !a[want] {
			t.Errorf("pageAnchors lacks %q: %v", want, a)
		}
	}
	if a["not-a-heading"] {
		t.Error("a heading in a code block counted")
	}
	links := pageLinks("a [link](b.md#c) and `[code](d.md)`, an ![image](img/e.png \"title\"),\n[over\nlines](f.md)\n```\n[fenced](g.md)\n```\n")
	var got []string
	for _, l := range links {
		got = append(got, fmt.Sprintf("%s@%d", l.target, l.line))
	}
	if strings.Join(got, " ") != "b.md#c@1 img/e.png@1 f.md@3" {
		t.Errorf("pageLinks = %v", got)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	anchorsOf := func(string) (map[string]bool, error) { return map[string]bool{"here": true}, nil }
	for target, want := range map[string]string{
		"cli.md#here":          "",
		"cli.md#gone":          "no heading with the anchor #gone",
		"missing.md":           "no such file docs/missing.md",
		"../../elsewhere/x.md": "points outside the repository",
		"https://example.org":  "",
	} {
		if got := checkLink(root, "docs/page.md", target, anchorsOf); (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("checkLink(%q) = %q, want %q", target, got, want)
		}
	}
}
