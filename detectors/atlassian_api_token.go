package detectors

import (
	"fmt"
	"hash/crc32"
)

func init() { register(AtlassianAPIToken) }

// AtlassianAPIToken finds Atlassian Cloud API tokens (Jira, Confluence, Bitbucket):
// ATATT3xFfGF0 (a fixed header) + a base64url body + "=" + 8 upper-case hex digits, which are
// the CRC32 (IEEE) of everything before them, prefix and "=" included. Validate recomputes it, so a match is an
// offline proof. Tokens made before the format changed (24 characters, no prefix) are not
// covered: without a checksum they are any word.
//
// References: https://support.atlassian.com/atlassian-account/docs/manage-api-tokens-for-your-atlassian-account/
func AtlassianAPIToken() *Detector {
	return &Detector{
		ID:          "atlassian-api-token",
		Description: "Atlassian Cloud API token",
		Keywords:    []string{"atatt3xffgf0"},
		Pattern:     bounded(`ATATT3xFfGF0[0-9A-Za-z_=-]{94,294}=[0-9A-F]{8}`),
		Before:      8,
		After:       320,
		Validate:    validAtlassianAPIToken,
		Checks:      "CRC32, hex",
		RotateURL:   "https://support.atlassian.com/atlassian-account/docs/manage-api-tokens-for-your-atlassian-account/",
	}
}

// AtlassianChecksum returns the 8 upper-case hex digits that end an Atlassian API token whose
// text before them is head (ATATT3…=).
func AtlassianChecksum(head []byte) string {
	return fmt.Sprintf("%08X", crc32.ChecksumIEEE(head))
}

// validAtlassianAPIToken checks the trailing CRC32 of an ATATT3 token.
func validAtlassianAPIToken(tok []byte) (Confidence, bool) {
	if len(tok) < 9 {
		return "", false
	}
	head := tok[:len(tok)-8]
	if AtlassianChecksum(head) != string(tok[len(tok)-8:]) {
		return "", false
	}
	return ConfidenceChecksum, true
}
