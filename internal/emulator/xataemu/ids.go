package xataemu

import (
	"crypto/rand"
	"encoding/binary"
	"hash/crc32"
	"math/big"
)

// base32hex lower-case alphabet used by Xata's idgen.
const base32hex = "0123456789abcdefghijklmnopqrstuv"

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

// newBranchID is 26 base32hex characters starting with a letter, because
// the real platform uses it as a DNS label and Postgres host name.
func newBranchID() string {
	return randomString(base32hex[10:], 1) + randomString(base32hex, 25)
}

func newProjectID() string { return "prj_" + randomString(base32hex, 26) }

func newOrgID() string { return randomString(base32hex, 6) }

func newRequestID() string { return "req_" + randomString(base32hex, 26) }

const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newPassword mirrors the 64 random characters of real branch passwords.
func newPassword() string { return randomString(alnum, 64) }

// newOrgAPIKey follows the real key format: xao_ + base62(20 random bytes +
// CRC32 of them), at most 40 characters.
func newOrgAPIKey() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b[:20]); err != nil {
		panic(err)
	}
	binary.BigEndian.PutUint32(b[20:], crc32.ChecksumIEEE(b[:20]))
	return "xao_" + new(big.Int).SetBytes(b).Text(62)
}

// newKeyID is idgen.Generate: a UUID in 26 base32hex characters.
func newKeyID() string { return randomString(base32hex, 26) }
