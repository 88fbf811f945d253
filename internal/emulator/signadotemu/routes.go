package signadotemu

import "strings"

// Route names the API route of a request as Stats.ByRequest keys it
// ("METHOD /path"): the organization, plugin and sandbox names become
// parameters, e.g. "GET /api/v2/orgs/{org}/sandboxes/{sandboxName}".
// GET /_emulator/requests groups its counts by it.
func Route(request string) string {
	method, path, _ := strings.Cut(request, " ")
	segs := strings.Split(strings.Trim(path, "/"), "/")
	params := map[string]string{"orgs": "{org}", "resource-plugins": "{pluginName}", "sandboxes": "{sandboxName}"}
	out := make([]string, len(segs))
	copy(out, segs)
	for i := 1; i < len(segs); i++ {
		if p, ok := params[segs[i-1]]; ok {
			out[i] = p
		}
	}
	return method + " /" + strings.Join(out, "/")
}
