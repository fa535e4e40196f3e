package detectors

import (
	"encoding/hex"
	"hash/crc32"
)

func init() { register(GrafanaServiceAccountToken) }

// GrafanaServiceAccountToken finds Grafana service account tokens: glsa_ + 32 alphanumerics +
// "_" + 8 hex digits, the CRC32-IEEE of everything before the last "_" written as its four
// little-endian bytes in hex (Grafana's pkg/components/satokengen). A checksum mismatch is
// not a finding.
//
// References: https://grafana.com/docs/grafana/latest/administration/service-accounts/
func GrafanaServiceAccountToken() *Detector {
	return &Detector{
		ID:          "grafana-service-account-token",
		Description: "Grafana service account token",
		RotateURL:   "https://grafana.com/docs/grafana/latest/administration/service-accounts/",
		Checks:      "CRC32",
		Keywords:    []string{"glsa_"},
		Pattern:     bounded(`glsa_[0-9A-Za-z]{32}_[0-9a-f]{8}`),
		Before:      8,
		After:       48,
		Validate: func(tok []byte) (Confidence, bool) {
			if GrafanaChecksum(tok[:len(tok)-9]) == string(tok[len(tok)-8:]) {
				return ConfidenceChecksum, true
			}
			return "", false
		},
	}
}

// GrafanaChecksum returns the checksum Grafana appends to a service account token whose
// first part (glsa_ + secret) is key: the little-endian bytes of CRC32-IEEE(key) in hex.
func GrafanaChecksum(key []byte) string {
	c := crc32.ChecksumIEEE(key)
	return hex.EncodeToString([]byte{byte(c), byte(c >> 8), byte(c >> 16), byte(c >> 24)})
}
