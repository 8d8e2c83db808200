package composite

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
)

// HashLength is the number of hex characters of a child's Hash / ReplaceHash.
const HashLength = 16

// HashJSON returns the first HashLength hex characters of the SHA-256 of v's
// canonical JSON (struct fields in declaration order, map keys sorted,
// references unresolved).
func HashJSON(v any) string {
	return hashString(marshalCanonical(v), HashLength)
}

// hashString returns the first n hex characters of the SHA-256 of s.
func hashString(s string, n int) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:n]
}

// hashUint32 returns a number in [1, mod] derived from s.
func hashUint32(s string, mod uint32) uint32 {
	sum := sha256.Sum256([]byte(s))
	return binary.BigEndian.Uint32(sum[:4])%mod + 1
}
