package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// fixture is testdata/table.txt, a run.sh table of a four-round run.
func fixture(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/table.txt")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseTable(t *testing.T) {
	nan := math.NaN()
	const header = "benchmark  A ns/op  ±%  B ns/op  ±%  B/A  allocs A→B  B/op A→B  floor ns/op  A/floor  B/floor\n"
	const summary = "SUMMARY: B/A geomean time 0.5x\n"
	tests := []struct {
		name    string
		in      string
		check   func(table) table // selects what to compare; nil: all
		want    table
		wantErr string
	}{
		{
			name: "fixture rows",
			in:   string(fixture(t)),
			check: func(tb table) table {
				return table{A: tb.A, B: tb.B, Rows: []row{tb.Rows[0], tb.Rows[6], tb.Rows[13]},
					Control: tb.Control[:1], Summary: tb.Summary}
			},
			want: table{
				A: "/root/go/pkg/mod/github.com/mdlayher/netlink@v1.11.2 (github.com/mdlayher/netlink)",
				B: "/work/main (github.com/netlinkgo/netlink)",
				Rows: []row{
					{Name: "MessageMarshal", ANs: 74.5, ASpread: 10.5, BNs: 74.5, BSpread: 3.6, BA: 1,
						AllocsA: 1, AllocsB: 1, BytesA: 80, BytesB: 80, FloorNs: nan, AFloor: nan, BFloor: nan},
					{Name: "GenlGetFamily", ANs: 24100, ASpread: 6.2, BNs: 11800, BSpread: 18.5, BA: 0.49,
						AllocsA: 48, AllocsB: 2, BytesA: 2176, BytesB: 368.5, FloorNs: 6180, AFloor: 3.9, BFloor: 1.91},
					{Name: "RouteEvents", ANs: 97800, ASpread: 10.2, BNs: 49700, BSpread: 14, BA: 0.51,
						AllocsA: 168, AllocsB: 12, BytesA: 7377, BytesB: 978.5, FloorNs: 28700, AFloor: 3.41, BFloor: 1.73},
				},
				Control: []row{
					{Name: "FloorGenlGetFamily", ANs: 6510, ASpread: 12.8, BNs: 5820, BSpread: 8.2, BA: 0.89,
						AllocsA: nan, AllocsB: nan, BytesA: nan, BytesB: nan, FloorNs: nan, AFloor: nan, BFloor: nan},
				},
				Summary: "B/A geomean time 0.560x, allocs 0.090x, B/op 0.491x over 14 benchmarks; " +
					"floor control B/A 1.028x; vs floor geomean A 2.651x, B 1.427x over 8 kernel benchmarks",
			},
		},
		{
			name: "fixture names",
			in:   string(fixture(t)),
			check: func(tb table) table {
				var names table
				for _, r := range tb.Rows {
					if r.hasFloor() {
						names.Rows = append(names.Rows, row{Name: r.Name})
					}
				}
				for _, r := range tb.Control {
					names.Control = append(names.Control, row{Name: r.Name})
				}
				return names
			},
			want: table{
				Rows: []row{{Name: "GenlGetFamily"}, {Name: "RouteDump"}, {Name: "RouteDumpBuf32K"},
					{Name: "LinkDump"}, {Name: "RouteDumpIter"}, {Name: "GenlGetFamilyParallel8/shared"},
					{Name: "GenlGetFamilyParallel8/separate"}, {Name: "RouteEvents"}},
				Control: []row{{Name: "FloorGenlGetFamily"}, {Name: "FloorRouteDump"}, {Name: "FloorLinkDump"},
					{Name: "FloorGenlGetFamilyParallel8/shared"}, {Name: "FloorGenlGetFamilyParallel8/separate"},
					{Name: "FloorRouteEvents"}},
			},
		},
		{
			name: "units and counts",
			in: header +
				"Nanos 1.5ns 1 2ns 2 1.33 1k→2M 3.5k→0 1s 2 3\n" +
				"Micros 2.50µs 0 1.25us 0 0.50 0→0 0→0 1.00ms 0 0\n" +
				"NoFloor 3ms NaN - - - -→- 1→1 - - -\n" +
				summary,
			check: func(tb table) table { return table{Rows: tb.Rows} },
			want: table{Rows: []row{
				{Name: "Nanos", ANs: 1.5, ASpread: 1, BNs: 2, BSpread: 2, BA: 1.33,
					AllocsA: 1000, AllocsB: 2e6, BytesA: 3500, BytesB: 0, FloorNs: 1e9, AFloor: 2, BFloor: 3},
				{Name: "Micros", ANs: 2500, BNs: 1250, BA: 0.5, FloorNs: 1e6},
				{Name: "NoFloor", ANs: 3e6, ASpread: nan, BNs: nan, BSpread: nan, BA: nan,
					AllocsA: nan, AllocsB: nan, BytesA: 1, BytesB: 1, FloorNs: nan, AFloor: nan, BFloor: nan},
			}},
		},
		{
			name:  "summary and note",
			in:    "A = old\nB = new\nnotes on the columns\n" + header + "X 1ns 0 1ns 0 1 0→0 0→0 - - -\n\nnote: something\nSUMMARY:   one; two  \n",
			check: func(tb table) table { return table{A: tb.A, B: tb.B, Summary: tb.Summary} },
			want:  table{A: "old", B: "new", Summary: "one; two"},
		},
		{name: "no header", in: "X 1ns 0 1ns 0 1 0→0 0→0 - - -\n", wantErr: "line 1: end of input without a header line"},
		{name: "empty", in: "", wantErr: "line 0: end of input without a header line"},
		{name: "summary before header", in: summary + header, wantErr: "line 1: summary before the header"},
		{name: "no summary", in: header + "X 1ns 0 1ns 0 1 0→0 0→0 - - -\n", wantErr: "line 2: end of input without a SUMMARY line"},
		{name: "no rows", in: header + summary, wantErr: "line 2: no benchmark rows"},
		{name: "two summaries", in: header + summary + summary, wantErr: "line 3: second summary"},
		{name: "text after summary", in: header + "X 1ns 0 1ns 0 1 0→0 0→0 - - -\n" + summary + "X\n", wantErr: "line 4: text after the summary"},
		{name: "bad header", in: "benchmark A B\n", wantErr: "line 1: header does not end with B/floor"},
		{name: "short row", in: header + "X 1ns 0 1ns\n" + summary, wantErr: `line 2: 4 columns, want 11: "X 1ns 0 1ns"`},
		{name: "short control row", in: header + "-- floor --\nFloorX 1ns 0 1ns 0\n" + summary, wantErr: "line 3: 5 columns, want 6"},
		{name: "no unit", in: header + "X 1 0 1ns 0 1 0→0 0→0 - - -\n" + summary, wantErr: `line 2: A ns/op: duration "1" has no unit`},
		{name: "unknown unit", in: header + "X 1ns 0 1ks 0 1 0→0 0→0 - - -\n" + summary, wantErr: `line 2: B ns/op: bad duration "1ks"`},
		{name: "dash with unit", in: header + "X 1ns 0 1ns 0 1 0→0 0→0 -ms - -\n" + summary, wantErr: `line 2: floor ns/op: bad duration "-ms"`},
		{name: "bad ratio", in: header + "X 1ns 0 1ns 0 x 0→0 0→0 - - -\n" + summary, wantErr: `line 2: B/A: bad number "x"`},
		{name: "no arrow", in: header + "X 1ns 0 1ns 0 1 0 0→0 - - -\n" + summary, wantErr: `line 2: allocs: "0" has no →`},
		{name: "bad count", in: header + "X 1ns 0 1ns 0 1 0→0 0→2G - - -\n" + summary, wantErr: `line 2: B/op: bad count "2G"`},
		{name: "infinite", in: header + "X 1ns 0 1ns 0 1 0→0 0→0 - Inf -\n" + summary, wantErr: `line 2: A/floor: bad number "Inf"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseTable(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				got = tt.check(got)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateNaNs(), cmpopts.EquateApprox(1e-12, 0)); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

// svgBars decodes svg and returns the <title> of each bar (a rect with a
// class) by class, and the ids of the groups.
func svgBars(svg []byte) (map[string][]string, []string, error) {
	bars := map[string][]string{}
	var groups []string
	d := xml.NewDecoder(bytes.NewReader(svg))
	class, inTitle := "", false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return bars, groups, nil
		}
		if err != nil {
			return nil, nil, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			attr := func(name string) string {
				for _, a := range tok.Attr {
					if a.Name.Local == name {
						return a.Value
					}
				}
				return ""
			}
			switch tok.Name.Local {
			case "g":
				groups = append(groups, attr("id"))
			case "rect":
				class = attr("class")
			case "title":
				inTitle = class != ""
			}
		case xml.CharData:
			if inTitle {
				bars[class] = append(bars[class], string(tok))
			}
		case xml.EndElement:
			switch tok.Name.Local {
			case "rect":
				class = ""
			case "title":
				inTitle = false
			}
		}
	}
}

func TestSVG(t *testing.T) {
	kernel := []string{"GenlGetFamily", "RouteDump", "RouteDumpBuf32K", "LinkDump", "RouteDumpIter",
		"GenlGetFamilyParallel8/shared", "GenlGetFamilyParallel8/separate", "RouteEvents"}
	all := append([]string{"MessageMarshal", "MessageUnmarshal", "AttributeEncoder",
		"MarshalAttributes", "AttributeDecoder", "UnmarshalAttributes"}, kernel...)
	suffixed := func(names []string, suffix string) []string {
		var out []string
		for _, n := range names {
			out = append(out, n+suffix)
		}
		return out
	}
	tests := []struct {
		name       string
		ba         bool
		wantBars   map[string][]string
		wantGroups []string
	}{
		{
			name: "both panels",
			ba:   true,
			wantBars: map[string][]string{
				"a":  suffixed(kernel, " A/floor"),
				"b":  suffixed(kernel, " B/floor"),
				"ba": suffixed(all, " B/A"),
			},
			wantGroups: []string{"floor", "ba"},
		},
		{
			name: "floor panel only",
			ba:   false,
			wantBars: map[string][]string{
				"a": suffixed(kernel, " A/floor"),
				"b": suffixed(kernel, " B/floor"),
			},
			wantGroups: []string{"floor"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := run(nil, tt.ba, bytes.NewReader(fixture(t)), &out); err != nil {
				t.Fatal(err)
			}
			bars, groups, err := svgBars(out.Bytes())
			if err != nil {
				t.Fatalf("SVG is not well-formed XML: %v", err)
			}
			if diff := cmp.Diff(tt.wantBars, bars); diff != "" {
				t.Errorf("bars (-want +got)\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantGroups, groups); diff != "" {
				t.Errorf("groups (-want +got)\n%s", diff)
			}
			if !strings.Contains(out.String(), "vs floor geomean A 2.651x, B 1.427x over 8 kernel benchmarks") {
				t.Error("the summary caption is missing")
			}
			var again bytes.Buffer
			if err := run(nil, tt.ba, bytes.NewReader(fixture(t)), &again); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), again.Bytes()) {
				t.Error("two renderings of the same table differ")
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		stdin   string
		wantErr string
	}{
		{name: "two files", args: []string{"a", "b"}, wantErr: "at most one table file, got 2 arguments"},
		{name: "missing file", args: []string{"testdata/nonexistent.txt"}, wantErr: "testdata/nonexistent.txt"},
		{name: "bad stdin", stdin: "garbage\n", wantErr: "stdin: line 1: end of input without a header line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(tt.args, true, strings.NewReader(tt.stdin), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
