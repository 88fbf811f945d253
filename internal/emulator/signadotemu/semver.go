package signadotemu

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// semver is a plugin version. The server stores versions canonically
// ("v1.0" and "1.0" are 1.0.0), compares them by semver precedence and
// calls an unversioned plugin 0.0.0.
type semver struct {
	major, minor, patch uint64
	pre                 []string // pre-release identifiers
	build               string   // build metadata, kept but not ordered by semver
}

var semverRE = regexp.MustCompile(`^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$`)

func parseSemver(s string) (semver, error) {
	m := semverRE.FindStringSubmatch(s)
	if m == nil {
		return semver{}, fmt.Errorf("%q is not a semantic version (such as 1.2.0)", s)
	}
	var nums [3]uint64
	for i, p := range m[1:4] {
		if p == "" {
			continue
		}
		n, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			return semver{}, fmt.Errorf("%q is not a semantic version: %w", s, err)
		}
		nums[i] = n
	}
	v := semver{major: nums[0], minor: nums[1], patch: nums[2], build: m[5]}
	if m[4] != "" {
		v.pre = strings.Split(m[4], ".")
	}
	return v, nil
}

func (v semver) String() string {
	s := fmt.Sprintf("%d.%d.%d", v.major, v.minor, v.patch)
	if len(v.pre) > 0 {
		s += "-" + strings.Join(v.pre, ".")
	}
	if v.build != "" {
		s += "+" + v.build
	}
	return s
}

func (v semver) isZero() bool { return v.String() == "0.0.0" }

// compare orders by semver precedence; versions equal by precedence but
// with different build metadata are ordered by it, so that the order is
// total and "highest" is well defined.
func (v semver) compare(w semver) int {
	for _, d := range [3][2]uint64{{v.major, w.major}, {v.minor, w.minor}, {v.patch, w.patch}} {
		if d[0] != d[1] {
			if d[0] < d[1] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(v.pre) == 0 && len(w.pre) > 0:
		return 1
	case len(v.pre) > 0 && len(w.pre) == 0:
		return -1
	}
	for i := 0; i < len(v.pre) && i < len(w.pre); i++ {
		if c := comparePre(v.pre[i], w.pre[i]); c != 0 {
			return c
		}
	}
	if c := len(v.pre) - len(w.pre); c != 0 {
		return sign(c)
	}
	return strings.Compare(v.build, w.build)
}

// comparePre compares pre-release identifiers: numeric ones numerically
// and below alphanumeric ones.
func comparePre(a, b string) int {
	na, errA := strconv.ParseUint(a, 10, 64)
	nb, errB := strconv.ParseUint(b, 10, 64)
	switch {
	case errA == nil && errB == nil:
		switch {
		case na < nb:
			return -1
		case na > nb:
			return 1
		}
		return 0
	case errA == nil:
		return -1
	case errB == nil:
		return 1
	}
	return strings.Compare(a, b)
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}
