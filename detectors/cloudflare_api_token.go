package detectors

import (
	"fmt"
	"hash/crc32"
)

func init() { register(CloudflareAPIToken) }

// CloudflareAPIToken finds Cloudflare API tokens in the scannable format every token
// created or rolled since 2025 has: cfut_ (user token) or cfat_ (account token) + 40
// characters + 8 lower-case hex digits, the CRC32-IEEE of the 40 characters. Cloudflare
// documents the prefix, the length and that a checksum follows, not the algorithm; CRC32
// was confirmed on three tokens (cfut_ and cfat_) published in public repositories. A
// checksum mismatch is not a finding. Tokens from before the format are
// cloudflare-api-token-legacy.
//
// References: https://developers.cloudflare.com/fundamentals/api/get-started/token-formats/
func CloudflareAPIToken() *Detector {
	return &Detector{
		ID:          "cloudflare-api-token",
		Provider:    "cloudflare",
		Description: "Cloudflare API token (cfut_/cfat_, checksum-verified)",
		Checks:      "CRC32",
		// "cfut", not "cfut_": the prefilter indexes a keyword under its rarest-looking byte
		// pairs, and "ut"/"t_" (output, input) fire far more often than "cf"/"fu".
		Keywords: []string{"cfut", "cfat_"},
		Pattern:  bounded(`cf[ua]t_[0-9A-Za-z_-]{40}[0-9a-f]{8}`),
		Before:   8,
		After:    64,
		Validate: func(tok []byte) (Confidence, bool) {
			if cloudflareChecksumOK(tok[len(tok)-48:]) {
				return ConfidenceChecksum, true
			}
			return "", false
		},
		RotateURL: "https://developers.cloudflare.com/fundamentals/api/how-to/roll-token/",
	}
}

// CloudflareChecksum returns the 8 hex digits that follow the 40 random characters of a
// scannable Cloudflare credential: CRC32-IEEE of those characters, big-endian.
func CloudflareChecksum(random []byte) string {
	return fmt.Sprintf("%08x", crc32.ChecksumIEEE(random))
}

// cloudflareChecksumOK reports whether body (40 random characters + 8 hex digits) carries
// its checksum.
func cloudflareChecksumOK(body []byte) bool {
	return len(body) == 48 && CloudflareChecksum(body[:40]) == string(body[40:])
}
