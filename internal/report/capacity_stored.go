package report

import (
	"fmt"
	"io"

	"github.com/loadplan/loadplan/internal/result"
)

// StoredCapacityText is `loadplan capacity RESULT.json`'s view of the
// capacity model of the profile p in the result file path: a title line,
// the model (CapacityMarkdown) and the bottleneck (BottleneckMarkdown).
func StoredCapacityText(w io.Writer, path string, p *result.Profile, c *result.Capacity, b *result.Bottleneck) error {
	fmt.Fprintf(w, "Capacity model of the %s profile (%s model) in %s\n\n", p.Name, p.Model, path)
	if err := CapacityMarkdown(w, c, stressOf(p)); err != nil {
		return err
	}
	return BottleneckMarkdown(w, b)
}
