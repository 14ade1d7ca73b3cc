package report

import (
	"fmt"
	"strings"
)

// ChooseFormats resolves `loadplan report --format` (PickFormats among
// Formats, in the order asked); none at all is an error too.
func ChooseFormats(asked []string) ([]Format, error) {
	formats := Formats()
	var names []string
	for _, f := range formats {
		names = append(names, f.Name)
	}
	picked, err := PickFormats(asked, names)
	if err != nil {
		return nil, err
	}
	if len(picked) == 0 {
		return nil, fmt.Errorf("--format is empty (formats: %s)", strings.Join(names, ", "))
	}
	chosen := make([]Format, 0, len(picked))
	for _, i := range picked {
		chosen = append(chosen, formats[i])
	}
	return chosen, nil
}
