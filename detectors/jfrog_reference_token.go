package detectors

import "encoding/base64"

func init() { register(JFrogReferenceToken) }

// JFrogReferenceToken finds JFrog Platform reference tokens: 64 characters of standard
// base64 whose 48 bytes read "reftkn:01:" + a 10-digit expiry (Unix seconds, all zeros for
// none) + ":" + 27 alphanumerics, so every one starts cmVmdGtu (base64 of "reftkn").
// Validate decodes the token and checks that structure: a proof of the shape, not a
// checksum.
//
// References: https://jfrog.com/help/r/jfrog-platform-administration-documentation/access-tokens
func JFrogReferenceToken() *Detector {
	return &Detector{
		ID:          "jfrog-reference-token",
		Description: "JFrog Platform reference token",
		Keywords:    []string{"cmvmdgtu"},
		Pattern:     `(?:^|[^0-9A-Za-z+/])(cmVmdGtu[0-9A-Za-z+/]{56})(?:[^0-9A-Za-z+/=]|$)`,
		Before:      8,
		After:       72,
		Validate: func(tok []byte) (Confidence, bool) {
			return ConfidencePattern, ValidJFrogReferenceToken(tok)
		},
		RotateURL: "https://jfrog.com/help/r/jfrog-platform-administration-documentation/access-tokens",
	}
}

// ValidJFrogReferenceToken reports whether tok is standard base64 of "reftkn:01:" + 10
// digits + ":" + 27 alphanumerics.
func ValidJFrogReferenceToken(tok []byte) bool {
	var raw [48]byte
	if len(tok) != 64 {
		return false
	}
	if n, err := base64.StdEncoding.Decode(raw[:], tok); err != nil || n != len(raw) {
		return false
	}
	if string(raw[:10]) != "reftkn:01:" || raw[20] != ':' {
		return false
	}
	for _, c := range raw[10:20] {
		if c < '0' || c > '9' {
			return false
		}
	}
	u, l, d := charClasses(raw[21:])
	return u+l+d == len(raw)-21
}
