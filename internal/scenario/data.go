package scenario

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Data modes: how each iteration draws its row from a data source.
const (
	DataSequential = "sequential" // rows in order, round and round, shared by all users
	DataRandom     = "random"     // a row drawn at random each iteration
	DataUnique     = "unique"     // each row at most once; see DataSource.Recycle
)

// DataModes lists the data modes.
var DataModes = []string{DataSequential, DataRandom, DataUnique}

// MaxDataFileSize bounds a data file: it is held in memory for the run.
const MaxDataFileSize = 256 << 20

var dataKeys = []string{"file", "mode", "on_exhausted"}

// DataSource is a data: source, read once when the scenario is parsed and
// shared by every virtual user.
type DataSource struct {
	Name    string
	File    string // as written in the scenario
	Mode    string // one of DataModes
	Recycle bool   // unique: start again when every row was used (on_exhausted: recycle); false ends the run
	Columns []string
	Rows    [][]string // each as long as Columns
}

// Column is the index of column name, -1 when there is none.
func (d *DataSource) Column(name string) int {
	for i, c := range d.Columns {
		if c == name {
			return i
		}
	}
	return -1
}

func (p *parser) dataIndex(name string) int {
	for i, d := range p.data {
		if d.Name == name {
			return i
		}
	}
	return -1
}

func (p *parser) dataNames() string {
	if len(p.data) == 0 {
		return "none"
	}
	names := make([]string, len(p.data))
	for i, d := range p.data {
		names[i] = d.Name
	}
	return strings.Join(names, ", ")
}

// dataSources reads data: a mapping of source name to {file, mode,
// on_exhausted}, and each file.
func (p *parser) dataSources(v value) {
	o, ok := p.mapping(v, nil)
	if !ok {
		return
	}
	for _, name := range o.keys {
		dv := o.fields[name]
		d := &DataSource{Name: name, Mode: DataSequential}
		p.data = append(p.data, d)
		if !validVarName(name) {
			p.errorf(dv.at, dv.path, "invalid data source name %s (letters, digits and _, not starting with a digit)", quote(name, false))
		}
		do, ok := p.mapping(dv, dataKeys)
		if !ok {
			continue
		}
		if mv, ok := do.get("mode"); ok {
			if s, ok := p.choice(mv, "mode", DataModes); ok {
				d.Mode = s
			}
		}
		if ev, ok := do.get("on_exhausted"); ok {
			if s, ok := p.str(ev); ok {
				switch {
				case s != "stop" && s != "recycle":
					p.errorf(ev.n, ev.path, "unknown value %s (allowed: stop, recycle)", quote(s, false))
				case d.Mode != DataUnique:
					p.errorf(ev.n, ev.path, "only for mode: unique (the other modes never run out)")
				default:
					d.Recycle = s == "recycle"
				}
			}
		}
		fv, ok := do.get("file")
		if !ok {
			p.missing(do, "file", "a .csv file with a header row, or a .jsonl file; relative to the scenario file")
			continue
		}
		s, ok := p.str(fv)
		if !ok {
			continue
		}
		d.File = s
		cols, rows, err := readData(p.dataPath(s))
		switch {
		case err != nil:
			p.errorf(fv.n, fv.path, "%v", err)
		case len(rows) == 0:
			p.errorf(fv.n, fv.path, "data file %s has no rows (mode %s needs at least one)", s, d.Mode)
		default:
			d.Columns, d.Rows = cols, rows
		}
	}
}

// dataPath is where the data file written as s is: relative to the
// scenario file's folder.
func (p *parser) dataPath(s string) string {
	if filepath.IsAbs(s) || p.file == "" || p.file == "-" {
		return s
	}
	return filepath.Join(filepath.Dir(p.file), s)
}

// readData reads a .csv file (a header row, then rows of as many fields)
// or a .jsonl file (one JSON object per line, each with the first line's
// keys). Errors name the data file and its line.
func readData(path string) ([]string, [][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read data file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxDataFileSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read data file %s: %w", path, err)
	}
	if len(data) > MaxDataFileSize {
		return nil, nil, fmt.Errorf("data file %s is larger than %d MiB", path, MaxDataFileSize>>20)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return readCSV(path, data)
	case ".jsonl", ".ndjson":
		return readJSONL(path, data)
	}
	return nil, nil, fmt.Errorf("data file %s: want a .csv or .jsonl file", path)
}

func readCSV(path string, data []byte) ([]string, [][]string, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = 0 // every row as long as the header
	head, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, csvError(path, err)
	}
	seen := map[string]bool{}
	for i, c := range head {
		switch {
		case c == "":
			return nil, nil, fmt.Errorf("%s:1: column %d of the header has no name", path, i+1)
		case seen[c]:
			return nil, nil, fmt.Errorf("%s:1: column %q appears twice in the header", path, c)
		}
		seen[c] = true
	}
	var rows [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return head, rows, nil
		}
		if err != nil {
			return nil, nil, csvError(path, err)
		}
		rows = append(rows, rec)
	}
}

func csvError(path string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			return fmt.Errorf("%s:%d: ragged row: its number of fields differs from the header's", path, pe.Line)
		}
		return fmt.Errorf("%s:%d: %v", path, pe.Line, pe.Err)
	}
	return fmt.Errorf("%s: %w", path, err)
}

func readJSONL(path string, data []byte) ([]string, [][]string, error) {
	var cols []string
	var rows [][]string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), MaxDataFileSize)
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var obj map[string]any
		if err := json.Unmarshal(text, &obj); err != nil {
			return nil, nil, fmt.Errorf("%s:%d: want a JSON object: %v", path, line, err)
		}
		if cols == nil {
			for k := range obj {
				cols = append(cols, k)
			}
			sort.Strings(cols)
		}
		if len(obj) != len(cols) {
			return nil, nil, fmt.Errorf("%s:%d: ragged row: %d keys, the first row has %d (%s)", path, line, len(obj), len(cols), strings.Join(cols, ", "))
		}
		row := make([]string, len(cols))
		for i, c := range cols {
			v, ok := obj[c]
			if !ok {
				return nil, nil, fmt.Errorf("%s:%d: ragged row: no key %q, which the first row has", path, line, c)
			}
			if s, isStr := v.(string); isStr {
				row[i] = s
			} else {
				b, _ := json.Marshal(v)
				row[i] = string(b)
			}
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return cols, rows, nil
}
