package xata

import (
	"regexp"
	"strings"

	"github.com/sandboxdb/terraform-provider-xata/internal/apiclient"
)

// logRedactor hides secrets in the client's debug logs.
var logRedactor = apiclient.Redactor{JSON: redactValue, Text: redactString}

// pgUserinfo matches the user:password@ part of a Postgres URL. The password
// runs to the first '@' so unescaped ':' or '/' in it are still covered; at
// worst a URL without userinfo followed by an '@' is over-redacted.
var pgUserinfo = regexp.MustCompile(`(?i)(postgres(?:ql)?://[^:@/\s]*):[^@\s]*@`)

// redactString hides the password of any Postgres URL in s.
func redactString(s string) string {
	return pgUserinfo.ReplaceAllString(s, "${1}:"+apiclient.Redacted+"@")
}

// keySeparators are dropped before comparing keys; built once, as building
// a Replacer costs more than the thousands of keys a large refresh logs.
var keySeparators = strings.NewReplacer("_", "", "-", "")

// sensitiveKey reports whether a JSON key holds a secret. Case, '_' and '-'
// are ignored so api_key, apiKey and connection_string all match.
func sensitiveKey(k string) bool {
	k = strings.ToLower(keySeparators.Replace(k))
	switch k {
	case "password", "connectionstring", "token", "apikey":
		return true
	}
	return false
}

// redactValue returns v (a decoded JSON value) with secret keys replaced
// and Postgres URL passwords hidden in every string.
func redactValue(v any) any {
	return apiclient.RedactJSON(v, func(_ map[string]any, key string) bool { return sensitiveKey(key) }, redactString)
}
