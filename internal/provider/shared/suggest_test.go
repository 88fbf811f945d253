package shared

import (
	"fmt"
	"slices"
	"testing"

	"github.com/sandboxdb/terraform-provider-xata/internal/xata"
)

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"main", "main", 0},
		{"", "main", 4},
		{"main", "", 4},
		{"main", "mian", 1},  // a swap is one edit
		{"main", "mains", 1}, // insertion
		{"main", "man", 1},   // deletion
		{"main", "maim", 1},  // substitution
		{"main", "dev", 4},
		{"kitten", "sitting", 3},
		{"ca", "abc", 3}, // optimal string alignment: no edit of a swapped pair
		{"prüfung", "prufung", 1},
	} {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := editDistance(tc.b, tc.a); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d (symmetric)", tc.b, tc.a, got, tc.want)
		}
	}
}

func TestClosestNames(t *testing.T) {
	branches := []string{"main", "Main", "staging", "pr-12", "pr-21", "pr-13", "pr-1", "dev", "db", "sb-feature-login"}
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"mian", []string{"Main", "main"}}, // case is ignored in the distance, so both
		{"MAIN", []string{"Main", "main"}}, // a case slip is the closest of all
		{"stagign", []string{"staging"}},
		{"pr-12", []string{"pr-1", "pr-13", "pr-21"}},    // itself excluded; three at most, closest then by name
		{"pr-21x", []string{"pr-21", "pr-1", "pr-12"}},   // closest first, before name order
		{"sb-featur-logn", []string{"sb-feature-login"}}, // longer names allow more edits
		{"production", nil},                              // nothing close: no guess
		{"qa", nil},                                      // "db" is as many edits away as "qa" has characters
		{"x", nil},
		{"", nil},
	} {
		if got := closestNames(tc.name, branches); !slices.Equal(got, tc.want) {
			t.Errorf("closestNames(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestDidYouMean(t *testing.T) {
	notFound := func(ref string, names ...string) error {
		return fmt.Errorf("wrapped: %w", &xata.BranchNotFoundError{Ref: ref, ProjectID: "prj", Names: names})
	}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{notFound("mian", "main", "dev"), ` Did you mean "main"?`},
		{notFound("pr-1x", "pr-10", "pr-11", "pr-1"), ` Did you mean "pr-1", "pr-10" or "pr-11"?`},
		{notFound("mian", "dev"), ""},
		{notFound("mian"), ""},                                      // an empty project
		{&xata.APIError{StatusCode: 404, Message: "no branch"}, ""}, // by id: no list was read
		{nil, ""},
	} {
		if got := DidYouMean(tc.err); got != tc.want {
			t.Errorf("didYouMean(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
