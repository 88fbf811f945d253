package shared

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

// maxSuggestions bounds a "did you mean": more names are noise, not help.
const maxSuggestions = 3

// DidYouMean is the sentence a "not found" diagnostic adds when the
// lookup's list held names close to the one asked for, e.g.
// ` Did you mean "main"?`; "" when err is no *xata.BranchNotFoundError or
// no name is close. It uses the list the lookup already read.
func DidYouMean(err error) string {
	var nf *xata.BranchNotFoundError
	if !errors.As(err, &nf) {
		return ""
	}
	return DidYouMeanAmong(nf.Ref, nf.Names)
}

// DidYouMeanAmong is the sentence naming those of names close to ref, ""
// when none is.
func DidYouMeanAmong(ref string, all []string) string {
	names := closestNames(ref, all)
	if len(names) == 0 {
		return ""
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	list := quoted[0]
	if len(quoted) > 1 {
		list = strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
	}
	return " Did you mean " + list + "?"
}

// closestNames returns up to maxSuggestions of names that a typo of name
// could have meant, closest first (then by name, for a stable message):
// those within an edit distance of a third of name's length, at least 2,
// ignoring case, since names are case-sensitive and "Main" for "main" is
// the likeliest slip. A name entirely unlike (as many edits as it has
// characters) is never offered.
func closestNames(name string, names []string) []string {
	n := utf8.RuneCountInString(name)
	limit := max(2, n/3)
	type candidate struct {
		name string
		dist int
	}
	var found []candidate
	for _, c := range names {
		if c == name {
			continue
		}
		d := editDistance(strings.ToLower(name), strings.ToLower(c))
		if d <= limit && d < n {
			found = append(found, candidate{c, d})
		}
	}
	slices.SortFunc(found, func(a, b candidate) int {
		if a.dist != b.dist {
			return a.dist - b.dist
		}
		return strings.Compare(a.name, b.name)
	})
	var out []string
	for _, c := range found[:min(len(found), maxSuggestions)] {
		out = append(out, c.name)
	}
	return out
}

// editDistance is the optimal string alignment distance between a and b
// in runes: insertions, deletions, substitutions, and swaps of two
// neighbours (the commonest typo, "mian") each count as one edit.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Three rows suffice: a swap looks two rows back.
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
