package composite

// Fingerprint is replaced by the per-kind drift views of fingerprint.go when
// that lands (this placeholder keeps main building while it is written).
func Fingerprint(k Kind, props any) (string, bool) { return "", false }

