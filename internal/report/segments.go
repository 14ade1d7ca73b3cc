package report

import (
	"fmt"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
)

// SegmentsMarkdown appends to a merged result's summary the segments it
// was made of (from the part files paths).
func SegmentsMarkdown(b *strings.Builder, res *result.Result, paths []string) {
	if len(res.Segments) == 0 {
		return
	}
	fmt.Fprintf(b, "\n## Segments\n\nMerged from %d of %d segments (%s).\n\n", len(res.Segments), res.Segments[0].Count, strings.Join(paths, ", "))
	b.WriteString("| segment | host | start at | clock offset |\n|---|---|---|---|\n")
	for _, s := range res.Segments {
		at := "—"
		if s.StartAt != nil {
			at = s.StartAt.UTC().Format("2006-01-02 15:04:05Z")
		}
		host := s.Host
		if host == "" {
			host = "—"
		}
		fmt.Fprintf(b, "| %d/%d | %s | %s | %.1f ms |\n", s.Index, s.Count, host, at, float64(s.ClockOffset)*1000)
	}
}
