package xataemu

import "testing"

func TestRoute(t *testing.T) {
	for in, want := range map[string]string{
		"GET /organizations/o1/projects/prj_1/branches":                        "GET …/branches",
		"POST /organizations/o1/projects/prj_1/branches":                       "POST …/branches",
		"GET /organizations/o1/projects/prj_1/branches/b1":                     "GET …/branches/{branchID}",
		"GET /organizations/o1/projects/prj_1/branches/b1/credentials":         "GET …/branches/{branchID}/credentials",
		"POST /organizations/o1/projects/prj_1/branches/b1/credentials/rotate": "POST …/branches/{branchID}/credentials/rotate",
		"DELETE /organizations/o1/projects/prj_1/branches/b1":                  "DELETE …/branches/{branchID}",
		"GET /organizations/o1/projects/limits":                                "GET /organizations/{organizationID}/projects/limits",
		"GET /organizations/o1/regions":                                        "GET /organizations/{organizationID}/regions",
		"GET /organizations":                                                   "GET /organizations",
	} {
		if got := Route(in); got != want {
			t.Errorf("Route(%q) = %q, want %q", in, got, want)
		}
	}
}
