// Package textdiff renders line diffs in the unified format of GNU diff -u
// and git, for showing what a generated file would change before (or
// instead of) writing it.
package textdiff

import (
	"fmt"
	"strings"
)

// Context is the number of unchanged lines shown around each change.
const Context = 3

// Unified returns the unified diff that turns old into new, with Context
// lines of context, or "" when they are equal. The header lines are
// "--- oldName" and "+++ newName" as given: pass "a/path" and "b/path", or
// "/dev/null" for a side that does not exist. A last line without a newline
// is marked "\ No newline at end of file", as diff and git do.
func Unified(oldName, newName, old, new string) string {
	if old == new {
		return ""
	}
	a, b := splitLines(old), splitLines(new)
	edits := diffLines(a, b)
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", oldName, newName)
	for _, h := range hunks(edits) {
		writeHunk(&sb, h, a, b)
	}
	return sb.String()
}

// splitLines cuts s after each newline; a last line without one is kept, so
// that "x" and "x\n" differ in their last line.
func splitLines(s string) []string {
	var lines []string
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			lines = append(lines, s)
			break
		}
		lines = append(lines, s[:i+1])
		s = s[i+1:]
	}
	return lines
}

// kind is what an edit does to a line.
type kind byte

const (
	equal  kind = ' '
	delete kind = '-'
	insert kind = '+'
)

// edit is one line of the edit script: old line ai and/or new line bi
// (whichever the kind uses).
type edit struct {
	kind   kind
	ai, bi int
}

// diffLines returns a shortest edit script from a to b. Lines are numbered
// first so that the comparisons in the search are integer compares.
func diffLines(a, b []string) []edit {
	ids := map[string]int{}
	number := func(lines []string) []int {
		out := make([]int, len(lines))
		for i, l := range lines {
			id, ok := ids[l]
			if !ok {
				id = len(ids)
				ids[l] = id
			}
			out[i] = id
		}
		return out
	}
	d := &differ{a: number(a), b: number(b)}
	d.compare(0, len(a), 0, len(b))
	return d.edits
}

type differ struct {
	a, b  []int
	edits []edit
}

// compare appends the edits turning a[alo:ahi] into b[blo:bhi]. It is
// Myers' linear-space algorithm: find the middle snake of a shortest path,
// then solve both halves, so memory stays O(len(a)+len(b)).
func (d *differ) compare(alo, ahi, blo, bhi int) {
	for alo < ahi && blo < bhi && d.a[alo] == d.b[blo] {
		d.edits = append(d.edits, edit{equal, alo, blo})
		alo, blo = alo+1, blo+1
	}
	suffix := 0
	for alo < ahi && blo < bhi && d.a[ahi-1] == d.b[bhi-1] {
		ahi, bhi, suffix = ahi-1, bhi-1, suffix+1
	}
	switch {
	case alo == ahi:
		for j := blo; j < bhi; j++ {
			d.edits = append(d.edits, edit{insert, alo, j})
		}
	case blo == bhi:
		for i := alo; i < ahi; i++ {
			d.edits = append(d.edits, edit{delete, i, blo})
		}
	default:
		x, y := d.middle(alo, ahi, blo, bhi)
		d.compare(alo, x, blo, y)
		d.compare(x, ahi, y, bhi)
	}
	for k := 0; k < suffix; k++ {
		d.edits = append(d.edits, edit{equal, ahi + k, bhi + k})
	}
}

// middle returns a point (x, y) on a shortest edit path from (alo, blo) to
// (ahi, bhi) that splits the problem into two strictly smaller ones. Both
// ranges are non-empty and differ in their first and last lines.
func (d *differ) middle(alo, ahi, blo, bhi int) (int, int) {
	a, b := d.a[alo:ahi], d.b[blo:bhi]
	n, m := len(a), len(b)
	maxD := (n + m + 1) / 2
	off := maxD
	// vf[off+k] is the furthest x reached on diagonal k = x-y going forward
	// from (0, 0); vb[off+k] the furthest distance going backward from
	// (n, m), measured from the end. -1 means not reached.
	vf := make([]int, 2*maxD+2)
	vb := make([]int, 2*maxD+2)
	for i := range vf {
		vf[i], vb[i] = -1, -1
	}
	vf[off+1], vb[off+1] = 0, 0
	delta := n - m
	oddDelta := delta%2 != 0
	// Diagonals that ran off the grid are skipped in later rounds.
	var fStart, fEnd, bStart, bEnd int
	for D := 0; D < maxD; D++ {
		for k := -D + fStart; k <= D-fEnd; k += 2 {
			var x int
			if k == -D || (k != D && vf[off+k-1] < vf[off+k+1]) {
				x = vf[off+k+1]
			} else {
				x = vf[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			vf[off+k] = x
			switch {
			case x > n:
				fEnd += 2
			case y > m:
				fStart += 2
			case oddDelta:
				if kb := off + delta - k; kb >= 0 && kb < len(vb) && vb[kb] != -1 && x >= n-vb[kb] {
					return alo + x, blo + y
				}
			}
		}
		for k := -D + bStart; k <= D-bEnd; k += 2 {
			var x int
			if k == -D || (k != D && vb[off+k-1] < vb[off+k+1]) {
				x = vb[off+k+1]
			} else {
				x = vb[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[n-x-1] == b[m-y-1] {
				x, y = x+1, y+1
			}
			vb[off+k] = x
			switch {
			case x > n:
				bEnd += 2
			case y > m:
				bStart += 2
			case !oddDelta:
				if kf := off + delta - k; kf >= 0 && kf < len(vf) && vf[kf] != -1 {
					fx := vf[kf]
					fy := fx - (kf - off)
					if fx >= n-x {
						return alo + fx, blo + fy
					}
				}
			}
		}
	}
	// Unreachable for non-empty ranges (a path of length n+m always meets),
	// kept so that a bug degrades to a correct but longer diff.
	return alo + n, blo
}

// hunk is a run of edits with its surrounding context.
type hunk []edit

// hunks groups the edit script into hunks, merging changes whose context
// would touch or overlap.
func hunks(edits []edit) []hunk {
	var out []hunk
	for i := 0; i < len(edits); {
		if edits[i].kind == equal {
			i++
			continue
		}
		start := max(i-Context, 0)
		// Extend over further changes separated by at most 2*Context equal lines.
		end := i
		for {
			for end < len(edits) && edits[end].kind != equal {
				end++
			}
			run := end
			for run < len(edits) && edits[run].kind == equal {
				run++
			}
			if run == len(edits) || run-end > 2*Context {
				end = min(end+Context, len(edits))
				break
			}
			end = run
		}
		out = append(out, edits[start:end])
		i = end
	}
	return out
}

func writeHunk(sb *strings.Builder, h hunk, a, b []string) {
	var oldN, newN int
	for _, e := range h {
		if e.kind != insert {
			oldN++
		}
		if e.kind != delete {
			newN++
		}
	}
	first := h[0]
	fmt.Fprintf(sb, "@@ -%s +%s @@\n", rangeSpec(first.ai, oldN), rangeSpec(first.bi, newN))
	for _, e := range h {
		var line string
		if e.kind == insert {
			line = b[e.bi]
		} else {
			line = a[e.ai]
		}
		sb.WriteByte(byte(e.kind))
		sb.WriteString(line)
		if !strings.HasSuffix(line, "\n") {
			sb.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// rangeSpec writes a hunk range as diff does: "start,count" with 1-based
// start, "start" alone for one line, and the line before for an empty range.
func rangeSpec(start0, count int) string {
	switch count {
	case 0:
		return fmt.Sprintf("%d,0", start0)
	case 1:
		return fmt.Sprintf("%d", start0+1)
	}
	return fmt.Sprintf("%d,%d", start0+1, count)
}
