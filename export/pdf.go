package export

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// writePDF writes the picture as a one-page PDF, to scale (a point is a
// point), in vectors: the text in the standard Helvetica fonts every PDF
// reader has (nothing is embedded), in their WinAnsi encoding — a
// character outside it is drawn as "?".
func (p *picture) writePDF(w io.Writer, o *Options) error {
	var c bytes.Buffer
	X := func(x float64) float64 { return x - p.bb[0] + p.pad }
	Y := func(y float64) float64 { return y - p.bb[1] + p.pad }
	num := func(v float64) string { return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".") }
	pt := func(x, y float64) string { return num(X(x)) + " " + num(Y(y)) }
	rgb := func(s string) (string, bool) {
		r, g, b, a, _ := colour(s)
		return num(r) + " " + num(g) + " " + num(b), a > 0
	}
	c.WriteString("1 1 1 rg 0 0 " + num(p.size[0]) + " " + num(p.size[1]) + " re f\n1 J 1 j\n")
	for _, list := range p.ops {
		pn := newPen()
		for _, op := range list {
			if pn.apply(op) {
				continue
			}
			paint := func(filled bool) {
				fill, stroke := false, false
				if col, ok := rgb(pn.fill); filled && ok && pn.style != "invis" {
					c.WriteString(col + " rg\n")
					fill = true
				}
				if col, ok := rgb(pn.stroke); ok && pn.style != "invis" {
					c.WriteString(col + " RG " + num(pn.width) + " w ")
					if d := dashes(pn.style); d != nil {
						c.WriteString("[" + num(d[0]) + " " + num(d[1]) + "] 0 d\n")
					} else {
						c.WriteString("[] 0 d\n")
					}
					stroke = true
				}
				switch {
				case fill && stroke:
					c.WriteString("B\n")
				case fill:
					c.WriteString("f\n")
				case stroke:
					c.WriteString("S\n")
				default:
					c.WriteString("n\n")
				}
			}
			switch op.Op {
			case "P", "p", "L":
				if len(op.Points) == 0 {
					continue
				}
				c.WriteString(pt(op.Points[0][0], op.Points[0][1]) + " m\n")
				for _, q := range op.Points[1:] {
					c.WriteString(pt(q[0], q[1]) + " l\n")
				}
				if op.Op != "L" {
					c.WriteString("h\n")
				}
				paint(op.Op == "P")
			case "B", "b":
				if len(op.Points) == 0 {
					continue
				}
				c.WriteString(pt(op.Points[0][0], op.Points[0][1]) + " m\n")
				for i := 1; i+2 < len(op.Points); i += 3 {
					a, b, d := op.Points[i], op.Points[i+1], op.Points[i+2]
					c.WriteString(pt(a[0], a[1]) + " " + pt(b[0], b[1]) + " " + pt(d[0], d[1]) + " c\n")
				}
				if op.Op == "B" {
					c.WriteString("h\n")
				}
				paint(op.Op == "B")
			case "E", "e":
				if len(op.Rect) != 4 {
					continue
				}
				// Four Bézier arcs (k: the control distance of a quarter circle).
				cx, cy, rx, ry := op.Rect[0], op.Rect[1], op.Rect[2], op.Rect[3]
				const k = 0.5523
				c.WriteString(pt(cx+rx, cy) + " m\n")
				c.WriteString(pt(cx+rx, cy+k*ry) + " " + pt(cx+k*rx, cy+ry) + " " + pt(cx, cy+ry) + " c\n")
				c.WriteString(pt(cx-k*rx, cy+ry) + " " + pt(cx-rx, cy+k*ry) + " " + pt(cx-rx, cy) + " c\n")
				c.WriteString(pt(cx-rx, cy-k*ry) + " " + pt(cx-k*rx, cy-ry) + " " + pt(cx, cy-ry) + " c\n")
				c.WriteString(pt(cx+k*rx, cy-ry) + " " + pt(cx+rx, cy-k*ry) + " " + pt(cx+rx, cy) + " c\nh\n")
				paint(op.Op == "E")
			case "T":
				if len(op.Pt) != 2 || pn.style == "invis" {
					continue
				}
				col, _ := rgb(pn.stroke)
				x := op.Pt[0]
				switch op.Align {
				case "c":
					x -= op.Width / 2
				case "r":
					x -= op.Width
				}
				f := "/F1"
				if pn.bold {
					f = "/F2"
				}
				fmt.Fprintf(&c, "BT %s rg %s %s Tf %s Td (%s) Tj ET\n", col, f, num(pn.size), pt(x, op.Pt[1]), pdfString(op.Text))
			}
		}
	}
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> /Contents 4 0 R >>", num(p.size[0]), num(p.size[1])),
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", c.Len(), c.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Producer (Entente) /Title (%s) /CreationDate (D:%s) >>", pdfString(o.Query), strings.NewReplacer("-", "", ":", "", "T", "", "Z", "Z").Replace(o.stamp())),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, obj := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, obj)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, len(objs), xref)
	_, err := w.Write(b.Bytes())
	return err
}

// winAnsi maps the characters of WinAnsiEncoding above Latin-1's
// printable range to their codes.
var winAnsi = map[rune]byte{
	'€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87, 'ˆ': 0x88, '‰': 0x89,
	'Š': 0x8a, '‹': 0x8b, 'Œ': 0x8c, 'Ž': 0x8e, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95,
	'–': 0x96, '—': 0x97, '˜': 0x98, '™': 0x99, 'š': 0x9a, '›': 0x9b, 'œ': 0x9c, 'ž': 0x9e, 'Ÿ': 0x9f,
}

// pdfString is text as a PDF literal string in WinAnsiEncoding.
func pdfString(s string) string {
	var b strings.Builder
	for _, r := range s {
		var c byte
		switch {
		case r >= 0x20 && r < 0x7f, r >= 0xa0 && r <= 0xff:
			c = byte(r)
		default:
			var ok bool
			if c, ok = winAnsi[r]; !ok {
				c = '?'
			}
		}
		switch c {
		case '(', ')', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			if c >= 0x80 {
				fmt.Fprintf(&b, "\\%03o", c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}
