package detectors

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
)

func init() { register(SentryAuthToken) }

// SentryAuthToken finds Sentry auth tokens. An organization token is sntrys_ + the base64 of a
// JSON object naming the token's issue time (iat), Sentry URL (url) and organization (org),
// then _ and a 43-character secret; Validate decodes the JSON and wants all three, a
// structural proof (there is no checksum, so the confidence stays pattern). A user token is
// sntryu_ + 64 hex digits.
//
// References: https://docs.sentry.io/account/auth-tokens/
func SentryAuthToken() *Detector {
	return &Detector{
		ID:          "sentry-auth-token",
		Description: "Sentry organization or user auth token",
		// sntrys_eyJ: the JSON payload always starts {" (eyJ in base64), and "ys" is a common pair.
		Keywords: []string{"sntrys_eyj", "sntryu_"},
		Pattern: startB + `(sntrys_eyJ[0-9A-Za-z+/]{16,600}={0,2}_[0-9A-Za-z+/]{43}|sntryu_[0-9a-f]{64})` +
			`(?:[^0-9A-Za-z+/=_-]|$)`,
		Before:     8,
		After:      700,
		MinEntropy: 3,
		Validate:   validSentryAuthToken,
		RotateURL:  "https://docs.sentry.io/account/auth-tokens/",
	}
}

// validSentryAuthToken checks the JSON payload of an organization token (sntrys_); a user
// token (sntryu_) has no structure beyond its pattern.
func validSentryAuthToken(tok []byte) (Confidence, bool) {
	rest, ok := bytes.CutPrefix(tok, []byte("sntrys_"))
	if !ok {
		return ConfidencePattern, true
	}
	i := bytes.LastIndexByte(rest, '_')
	if i < 0 {
		return "", false
	}
	raw, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(string(rest[:i]), "="))
	if err != nil {
		return "", false
	}
	var claims struct {
		IAT float64 `json:"iat"`
		URL string  `json:"url"`
		Org string  `json:"org"`
	}
	if json.Unmarshal(raw, &claims) != nil || claims.IAT <= 0 || claims.Org == "" ||
		!(strings.HasPrefix(claims.URL, "https://") || strings.HasPrefix(claims.URL, "http://")) {
		return "", false
	}
	return ConfidencePattern, true
}
