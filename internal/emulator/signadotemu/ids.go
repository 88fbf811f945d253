package signadotemu

import (
	"crypto/rand"
	"maps"
	"slices"
)

const (
	alnum      = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	lowerAlnum = "0123456789abcdefghijklmnopqrstuvwxyz"
	hexDigits  = "0123456789abcdef"
)

func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func newRequestID() string { return randomString(hexDigits, 32) }

// newRoutingKey looks like the real ones: short, lower-case, DNS-safe, as
// it ends up in preview host names.
func newRoutingKey() string { return randomString(lowerAlnum, 14) }

func newSandboxID() string { return randomString(lowerAlnum, 16) }

func sortedKeys[M ~map[string]V, V any](m M) []string {
	return slices.Sorted(maps.Keys(m))
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	return maps.Clone(m)
}
