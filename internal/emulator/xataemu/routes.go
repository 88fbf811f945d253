package xataemu

import "strings"

// Route names the API route of a request as Stats.ByRequest keys it
// ("METHOD /path"): the ids become the spec's parameters, and the
// organization and project prefix an ellipsis, e.g.
// "GET …/branches/{branchID}/credentials". Reports count requests by it.
func Route(request string) string {
	method, path, _ := strings.Cut(request, " ")
	segs := strings.Split(strings.Trim(path, "/"), "/")
	params := map[string]string{"organizations": "{organizationID}", "projects": "{projectID}", "branches": "{branchID}"}
	for i := 1; i < len(segs); i++ {
		if p, ok := params[segs[i-1]]; ok && segs[i] != "limits" {
			segs[i] = p
		}
	}
	out := "/" + strings.Join(segs, "/")
	out = strings.Replace(out, "/organizations/{organizationID}/projects/{projectID}", "…", 1)
	return method + " " + out
}
