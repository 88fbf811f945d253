package signadot

import (
	"regexp"
	"strings"

	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient"
)

// dbUserinfo matches the user:password@ part of a database URL (Postgres,
// MySQL, …). The password runs to the first '@' so unescaped ':' or '/' in
// it are still covered.
var dbUserinfo = regexp.MustCompile(`(?i)([a-z][a-z0-9+.-]*://[^:@/\s]*):[^@\s]*@`)

// Scripts and pod template overlays are strings, so secrets inside them
// are found by shape: a shell-style assignment to a secret-looking name
// (XATA_API_KEY=…), and a YAML env entry whose name looks secret followed
// by a literal value.
var (
	secretAssign   = regexp.MustCompile(`(?i)(\b[a-z0-9_]*(?:password|passwd|secret|token|api_?key|credential)[a-z0-9_]*=)([^\s;&|]+)`)
	secretYAMLPair = regexp.MustCompile(`(?im)(name:\s*["']?[a-z0-9_.-]*(?:password|passwd|secret|token|api_?key|credential)[a-z0-9_.-]*["']?\s*\n\s*value:[ \t]*)(\S.*)$`)
)

// redactString hides URL passwords and secret-looking assignments in s.
func redactString(s string) string {
	s = dbUserinfo.ReplaceAllString(s, "${1}:"+apiclient.Redacted+"@")
	s = secretAssign.ReplaceAllString(s, "${1}"+apiclient.Redacted)
	return secretYAMLPair.ReplaceAllString(s, "${1}"+apiclient.Redacted)
}

// sensitiveWords mark a key as holding a secret. Keys are compared
// lower-cased without '_', '-' and '.', and by substring, because plugin
// outputs and params are free-form: "provision.connection-string",
// "DB_PASSWORD", "apiToken".
var sensitiveWords = []string{"password", "passwd", "secret", "token", "apikey", "connectionstring", "credential", "privatekey"}

// secretRefKeys are objects that only name a secret (Kubernetes
// secretKeyRef, a sandbox env valueFrom.secret); they stay readable.
var secretRefKeys = map[string]bool{"secretkeyref": true, "secret": true, "secretref": true}

// keySeparators are dropped before comparing keys; built once, not per key.
var keySeparators = strings.NewReplacer("_", "", "-", "", ".", "")

func normKey(k string) string {
	return strings.ToLower(keySeparators.Replace(k))
}

func sensitiveKey(k string) bool {
	k = normKey(k)
	for _, w := range sensitiveWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// redactValue returns v (a decoded JSON value) with secrets replaced:
// scalar values under sensitive keys, the "value" of a {"name","value"}
// pair whose name is sensitive (sandbox env vars), and URL passwords in
// every string.
func redactValue(v any) any { return apiclient.RedactJSON(v, secretMember, redactString) }

func secretMember(obj map[string]any, key string) bool {
	if name, _ := obj["name"].(string); key == "value" && sensitiveKey(name) {
		return true
	}
	return sensitiveKey(key) && !isContainer(obj[key]) && !secretRefKeys[normKey(key)]
}

// isContainer: objects and arrays under a sensitive key are walked rather
// than hidden, so a "secrets" list still shows which secrets are named.
func isContainer(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

// redactString also hides the client's own API key wherever it shows up
// (a script or an error echoing it).
func (c *Client) redactString(s string) string { return c.api.HideSecrets(redactString(s)) }
