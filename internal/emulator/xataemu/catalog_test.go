package xataemu

import (
	"net/http"
	"strings"
	"testing"
)

// TestImageCatalogue: GET /images offers exactly the open-source server's
// list, create accepts only those, and an update moves only to a later
// minor of the same major.
func TestImageCatalogue(t *testing.T) {
	a, _ := newMemEmu(t, Options{ProvisionDelay: -1})
	imgs := decodeAs[struct{ Images []imageWire }](t, a.do("GET", "/organizations/"+a.org+"/images", nil))
	var names []string
	for _, im := range imgs.Images {
		names = append(names, im.Name)
		version := strings.TrimPrefix(im.Name, "postgres:")
		major, _, _ := strings.Cut(version, ".")
		if im.FullVersion != version || im.MajorVersion != major {
			t.Errorf("image %s: majorVersion %q fullVersion %q", im.Name, im.MajorVersion, im.FullVersion)
		}
	}
	want := "postgres:14.20 postgres:14.22 postgres:15.15 postgres:15.17 postgres:16.11 postgres:16.13 " +
		"postgres:17.5 postgres:17.6 postgres:17.7 postgres:17.9 postgres:18.0 postgres:18.1 postgres:18.3"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("images =\n%s\nwant\n%s", got, want)
	}

	withImage := func(name, image string) map[string]any {
		b := mainBody(name)
		b["configuration"].(map[string]any)["image"] = image
		return b
	}
	for _, gone := range []string{"postgres:15.13", "postgres:15.14", "postgres:16.9", "postgres:16.10", "postgres:17.8"} {
		a.expect(a.do("POST", "/branches", withImage("x", gone)), http.StatusBadRequest,
			"Branch [x]: invalid parameter [configuration]: invalid image: "+gone)
	}
	for _, im := range strings.Fields(want) {
		a.create(withImage("b"+strings.NewReplacer(":", "-", ".", "-").Replace(im), im))
	}

	id := a.create(withImage("upgrade", "postgres:16.11"))
	patch := func(image string) response { return a.do("PATCH", "/branches/"+id, map[string]any{"image": image}) }
	a.expect(patch("postgres:16.12"), http.StatusBadRequest,
		"Branch ["+id+"]: invalid parameter [configuration]: invalid image: postgres:16.12")
	a.expect(patch("postgres:16.13"), http.StatusOK, "")
	a.expect(patch("postgres:17.9"), http.StatusBadRequest,
		"Branch ["+id+"]: invalid parameter [configuration]: only minor version upgrades are allowed (current: postgres:16.13, requested: postgres:17.9)")
}
