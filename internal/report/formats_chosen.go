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

// FormatsHelp says which files each --format writes, for the help of
// `loadplan report` (comparison false) or `loadplan compare` (true):
// "md → compare.md, json → compare.json, …".
func FormatsHelp(comparison bool) string {
	var help []string
	if comparison {
		for _, f := range CompareFormats {
			help = append(help, f.Name+" → "+f.File)
		}
	} else {
		for _, f := range Formats() {
			files := strings.Join(f.Files[:len(f.Files)-1], ", ")
			if files != "" {
				files += " and "
			}
			help = append(help, f.Name+" → "+files+f.Files[len(f.Files)-1])
		}
	}
	return strings.Join(help, ", ")
}
