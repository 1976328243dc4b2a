// Command perfchart draws the table of the shared performance harness
// (../shared/perf/run.sh) as an SVG chart: for each kernel benchmark, the
// time of v1.11.2 (A) and of this package (B) relative to the floor, the
// same exchange done with bare x/sys/unix system calls; and, in a second
// panel, B/A for every benchmark. It reads the table from the file named
// by its argument, or from standard input, and writes the SVG to standard
// output. As root, from the repository's root with ../shared beside it:
//
//	REF=$(go mod download -json github.com/mdlayher/netlink@v1.11.2 | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
//	ROUNDS=4 ../shared/perf/run.sh "$REF" github.com/mdlayher/netlink . github.com/netlinkgo/netlink /tmp/perf-out
//	go run ./internal/perfchart /tmp/perf-out/table.txt > docs/perf.svg
//
// The flag -ba=false leaves out the B/A panel.
package main

import (
	"bufio"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

func main() {
	ba := flag.Bool("ba", true, "draw the B/A panel for every benchmark")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: perfchart [-ba=false] [table.txt] > chart.svg")
		flag.PrintDefaults()
	}
	flag.Parse()
	if err := run(flag.Args(), *ba, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "perfchart:", err)
		os.Exit(1)
	}
}

// run parses the table named by args (standard input when args is empty)
// and writes its chart to w.
func run(args []string, ba bool, stdin io.Reader, w io.Writer) error {
	in, name := stdin, "stdin"
	switch len(args) {
	case 0:
	case 1:
		f, err := os.Open(args[0])
		if err != nil {
			return err
		}
		defer f.Close()
		in, name = f, args[0]
	default:
		return fmt.Errorf("at most one table file, got %d arguments", len(args))
	}
	t, err := parseTable(in)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	bw := bufio.NewWriter(w)
	writeSVG(bw, t, ba)
	return bw.Flush()
}

// A table is what run.sh's table.txt holds.
type table struct {
	A, B    string // the implementations, from the "A = " and "B = " lines
	Rows    []row  // benchmarks, in the table's order
	Control []row  // the floor control rows
	Summary string // the SUMMARY line, without "SUMMARY: "
}

// A row is one benchmark line. Values shown as "-" in the table are NaN.
type row struct {
	Name             string
	ANs, BNs         float64 // median ns/op
	ASpread, BSpread float64 // ±%
	BA               float64
	AllocsA, AllocsB float64 // allocs/op; NaN in control rows
	BytesA, BytesB   float64 // B/op; NaN in control rows
	FloorNs          float64 // NaN without a floor
	AFloor, BFloor   float64 // NaN without a floor
}

// hasFloor reports whether r is a kernel benchmark with a floor.
func (r row) hasFloor() bool {
	return !math.IsNaN(r.FloorNs) && !math.IsNaN(r.AFloor) && !math.IsNaN(r.BFloor)
}

// parseTable reads a table; an error names the line it is about.
func parseTable(r io.Reader) (table, error) {
	var t table
	sc := bufio.NewScanner(r)
	header, control := false, false
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		fail := func(format string, a ...any) error {
			return fmt.Errorf("line %d: %s: %q", n, fmt.Sprintf(format, a...), line)
		}
		switch {
		case line == "":
		case strings.HasPrefix(line, "SUMMARY:"):
			if !header {
				return table{}, fail("summary before the header")
			}
			if t.Summary != "" {
				return table{}, fail("second summary")
			}
			t.Summary = strings.TrimSpace(strings.TrimPrefix(line, "SUMMARY:"))
		case !header:
			if f := strings.Fields(line); len(f) > 0 && f[0] == "benchmark" {
				if f[len(f)-1] != "B/floor" {
					return table{}, fail("header does not end with B/floor")
				}
				header = true
			} else if v, ok := strings.CutPrefix(line, "A = "); ok {
				t.A = v
			} else if v, ok := strings.CutPrefix(line, "B = "); ok {
				t.B = v
			}
			// Other lines before the header describe the columns.
		case t.Summary != "":
			return table{}, fail("text after the summary")
		case strings.HasPrefix(line, "--"):
			control = true
		case strings.HasPrefix(line, "note:"):
		default:
			rw, err := parseRow(strings.Fields(line), control)
			if err != nil {
				return table{}, fail("%v", err)
			}
			if control {
				t.Control = append(t.Control, rw)
			} else {
				t.Rows = append(t.Rows, rw)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return table{}, fmt.Errorf("line %d: %w", n+1, err)
	}
	switch {
	case !header:
		return table{}, fmt.Errorf("line %d: end of input without a header line", n)
	case t.Summary == "":
		return table{}, fmt.Errorf("line %d: end of input without a SUMMARY line", n)
	case len(t.Rows) == 0:
		return table{}, fmt.Errorf("line %d: no benchmark rows", n)
	}
	return t, nil
}

// parseRow parses the fields of a benchmark row: 11 of them, or 6 in a
// control row.
func parseRow(f []string, control bool) (row, error) {
	want := 11
	if control {
		want = 6
	}
	if len(f) != want {
		return row{}, fmt.Errorf("%d columns, want %d", len(f), want)
	}
	nan := math.NaN()
	r := row{Name: f[0], AllocsA: nan, AllocsB: nan, BytesA: nan, BytesB: nan,
		FloorNs: nan, AFloor: nan, BFloor: nan}
	var err error
	num := func(dst *float64, s, what string, parse func(string) (float64, error)) {
		if err != nil {
			return
		}
		if *dst, err = parse(s); err != nil {
			err = fmt.Errorf("%s: %w", what, err)
		}
	}
	num(&r.ANs, f[1], "A ns/op", parseDuration)
	num(&r.ASpread, f[2], "A ±%", parseNumber)
	num(&r.BNs, f[3], "B ns/op", parseDuration)
	num(&r.BSpread, f[4], "B ±%", parseNumber)
	num(&r.BA, f[5], "B/A", parseNumber)
	if control {
		return r, err
	}
	arrow := func(a, b *float64, s, what string) {
		if err != nil {
			return
		}
		sa, sb, ok := strings.Cut(s, "→")
		if !ok {
			err = fmt.Errorf("%s: %q has no →", what, s)
			return
		}
		num(a, sa, what, parseCount)
		num(b, sb, what, parseCount)
	}
	arrow(&r.AllocsA, &r.AllocsB, f[6], "allocs")
	arrow(&r.BytesA, &r.BytesB, f[7], "B/op")
	num(&r.FloorNs, f[8], "floor ns/op", parseDuration)
	num(&r.AFloor, f[9], "A/floor", parseNumber)
	num(&r.BFloor, f[10], "B/floor", parseNumber)
	return r, err
}

// parseNumber parses a plain number, or "-" as NaN.
func parseNumber(s string) (float64, error) {
	if s == "-" {
		return math.NaN(), nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, fmt.Errorf("bad number %q", s)
	}
	return v, nil
}

// parseDuration parses a duration with its unit (ns, µs or us, ms, s) into
// nanoseconds, or "-" as NaN.
func parseDuration(s string) (float64, error) {
	if s == "-" {
		return math.NaN(), nil
	}
	for _, u := range []struct {
		suffix string
		ns     float64
	}{{"ns", 1}, {"µs", 1e3}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			f, err := parseNumber(v)
			if err != nil || v == "-" {
				return 0, fmt.Errorf("bad duration %q", s)
			}
			return f * u.ns, nil
		}
	}
	return 0, fmt.Errorf("duration %q has no unit (ns, µs, ms, s)", s)
}

// parseCount parses a count with an optional k or M suffix, or "-" as NaN.
func parseCount(s string) (float64, error) {
	mul := 1.0
	v := s
	if c, ok := strings.CutSuffix(s, "k"); ok {
		v, mul = c, 1e3
	} else if c, ok := strings.CutSuffix(s, "M"); ok {
		v, mul = c, 1e6
	}
	f, err := parseNumber(v)
	if err != nil || (mul != 1 && v == "-") {
		return 0, fmt.Errorf("bad count %q", s)
	}
	return f * mul, nil
}

// Layout, in SVG user units (pixels).
const (
	width     = 900
	labelX    = 250 // right edge of the benchmark names
	plotX     = 260 // left edge of the bars
	plotW     = 540 // width of the bar area; value labels go to its right
	barH      = 13
	fontSize  = 12
	colorA    = "#9aa0a6"
	colorB    = "#1a73e8"
	colorMark = "#d93025"
)

// svgWriter accumulates the chart; y is the top of the next element.
type svgWriter struct {
	sb strings.Builder
	y  float64
}

func (s *svgWriter) printf(format string, a ...any) { fmt.Fprintf(&s.sb, format, a...) }

// text writes an escaped text element.
func (s *svgWriter) text(x, y float64, attrs, str string) {
	s.printf(`<text x="%s" y="%s"%s>%s</text>`+"\n", num(x), num(y), attrs, esc(str))
}

// num formats a coordinate: two decimals at most, no trailing zeros.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// esc escapes s for XML text and attribute values.
func esc(s string) string {
	var sb strings.Builder
	xml.EscapeText(&sb, []byte(s)) // writes to a strings.Builder cannot fail
	return sb.String()
}

// writeSVG writes the chart of t.
func writeSVG(w io.Writer, t table, ba bool) {
	var s svgWriter
	s.y = 34
	s.text(width/2, s.y, ` text-anchor="middle" font-size="16" font-weight="bold"`,
		"netlink: time per operation, v1.11.2 (A) and this package (B)")
	s.y += 16

	var kernel []row
	for _, r := range t.Rows {
		if r.hasFloor() {
			kernel = append(kernel, r)
		}
	}
	if len(kernel) > 0 {
		s.y += 14
		floorPanel(&s, kernel)
	}
	if ba {
		s.y += 14
		ratioPanel(&s, t.Rows)
	}
	s.y += 10
	for i, part := range strings.Split(t.Summary, "; ") {
		prefix := "  "
		if i == 0 {
			prefix = "Summary: "
		}
		s.y += 16
		s.text(20, s.y, ` font-size="11" fill="#3c4043"`, prefix+part)
	}
	s.y += 16

	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%s" viewBox="0 0 %d %s" font-family="DejaVu Sans, Verdana, sans-serif" font-size="%d">`+"\n",
		width, num(s.y), width, num(s.y), fontSize)
	fmt.Fprintf(w, `<rect width="%d" height="%s" fill="white"/>`+"\n", width, num(s.y))
	io.WriteString(w, s.sb.String())
	io.WriteString(w, "</svg>\n")
}

// axis returns the end of a linear axis from 0 that holds maxV and 1.0
// with a tenth to spare for the value labels, and its tick step.
func axis(maxV float64) (end, step float64) {
	maxV = math.Max(maxV, 1) * 1.1
	for _, m := range []float64{1, 10, 100, 1000} {
		for _, st := range []float64{0.1, 0.2, 0.25, 0.5} {
			step = st * m
			if maxV/step <= 8 {
				return math.Ceil(maxV/step-1e-9) * step, step
			}
		}
	}
	return math.Ceil(maxV/step) * step, step
}

// grid draws the vertical grid lines and tick labels of an axis over a
// panel from top to bottom, and marks 1.0 with label.
func grid(s *svgWriter, top, bottom, end, step float64, mark string) {
	x := func(v float64) float64 { return plotX + v/end*plotW }
	for i := 0; float64(i)*step <= end+1e-9; i++ {
		v := math.Round(float64(i)*step*1e6) / 1e6
		s.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#e0e0e0"/>`+"\n",
			num(x(v)), num(top), num(x(v)), num(bottom))
		s.text(x(v), bottom+14, ` text-anchor="middle" font-size="11" fill="#5f6368"`,
			strconv.FormatFloat(v, 'f', -1, 64))
	}
	s.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1.5" stroke-dasharray="5,3"/>`+"\n",
		num(x(1)), num(top-4), num(x(1)), num(bottom), colorMark)
	s.text(x(1)+4, top-6, ` font-size="11" fill="`+colorMark+`"`, mark)
}

// bar draws one horizontal bar of value v with its label and a tooltip.
func bar(s *svgWriter, class, color, title string, y, v, end float64) {
	w := v / end * plotW
	s.printf(`<rect class="%s" x="%d" y="%s" width="%s" height="%d" fill="%s"><title>%s</title></rect>`+"\n",
		class, plotX, num(y), num(w), barH, color, esc(title))
	// The halo keeps a label readable where it crosses the 1.0 mark.
	s.text(plotX+w+4, y+barH-2.5, ` font-size="11" stroke="white" stroke-width="3" paint-order="stroke"`,
		fmt.Sprintf("%.2f", v))
}

// legend draws colour keys in a row at s.y.
func legend(s *svgWriter, keys [][2]string) {
	x := float64(plotX)
	for _, k := range keys {
		s.printf(`<rect x="%s" y="%s" width="12" height="12" fill="%s"/>`+"\n", num(x), num(s.y-10), k[0])
		s.text(x+17, s.y, "", k[1])
		x += 17 + 7.2*float64(len([]rune(k[1]))) + 24
	}
}

// floorPanel draws A/floor and B/floor for each kernel benchmark.
func floorPanel(s *svgWriter, rows []row) {
	s.y += 16
	s.text(20, s.y, ` font-size="14" font-weight="bold"`,
		"Kernel benchmarks: time / floor (bare x/sys/unix system calls), lower is better")
	s.y += 22
	legend(s, [][2]string{{colorA, "A: v1.11.2"}, {colorB, "B: this package"}})
	s.y += 14

	maxV := 0.0
	for _, r := range rows {
		maxV = math.Max(maxV, math.Max(r.AFloor, r.BFloor))
	}
	end, step := axis(maxV)
	top := s.y + 14
	const group = 2*barH + 2 + 12
	bottom := top + float64(len(rows))*group
	s.printf(`<g id="floor">` + "\n")
	grid(s, top, bottom, end, step, "floor = 1.0")
	for i, r := range rows {
		y := top + 6 + float64(i)*group
		s.text(labelX, y+barH+4, ` text-anchor="end"`, r.Name)
		bar(s, "a", colorA, r.Name+" A/floor", y, r.AFloor, end)
		bar(s, "b", colorB, r.Name+" B/floor", y+barH+2, r.BFloor, end)
	}
	s.printf("</g>\n")
	s.y = bottom + 20
}

// ratioPanel draws B/A for every benchmark.
func ratioPanel(s *svgWriter, rows []row) {
	s.y += 16
	s.text(20, s.y, ` font-size="14" font-weight="bold"`,
		"All benchmarks: B time / A time, below 1.0 = this package is faster")
	maxV := 0.0
	for _, r := range rows {
		if !math.IsNaN(r.BA) {
			maxV = math.Max(maxV, r.BA)
		}
	}
	end, step := axis(maxV)
	top := s.y + 26
	const pitch = barH + 7
	bottom := top + float64(len(rows))*pitch + 4
	s.printf(`<g id="ba">` + "\n")
	grid(s, top, bottom, end, step, "v1.11.2 = 1.0")
	for i, r := range rows {
		y := top + 4 + float64(i)*pitch
		s.text(labelX, y+barH-2.5, ` text-anchor="end"`, r.Name)
		if math.IsNaN(r.BA) {
			s.text(plotX+4, y+barH-2.5, ` font-size="11"`, "-")
			continue
		}
		bar(s, "ba", colorB, r.Name+" B/A", y, r.BA, end)
	}
	s.printf("</g>\n")
	s.y = bottom + 20
}
