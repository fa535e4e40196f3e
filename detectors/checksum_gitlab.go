package detectors

import (
	"bytes"
	"encoding/base64"
	"hash/crc32"
	"regexp"
	"strconv"
	"strings"
)

// GitLab routable tokens (gitlabhq lib/authn/token_field/generator/routable_token.rb,
// PROVIDERS.md §3.1) read
//
//	prefix ‖ B ‖ "." ‖ "01" ‖ "." ‖ L ‖ C      (since 2025-04-22; before: prefix ‖ B ‖ "." ‖ L ‖ C)
//
// where B is unpadded base64url of 16 random bytes ‖ routing payload ‖ one byte holding the
// payload length, L is len(B) in base 36 padded to 2, and C is the CRC32-IEEE of everything
// before it, prefix included, in lower-case base 36 padded to 7.

const (
	gitlabCRCLen     = 7
	gitlabLenLen     = 2
	gitlabVersion    = "01"
	gitlabRandomLen  = 16
	gitlabMaxPayload = 159
)

// GitLabChecksum returns the routable-token checksum of s: CRC32-IEEE in lower-case base 36,
// left-padded with '0' to 7 characters.
func GitLabChecksum(s []byte) string {
	c := strconv.FormatUint(uint64(crc32.ChecksumIEEE(s)), 36)
	return strings.Repeat("0", gitlabCRCLen-len(c)) + c
}

// ValidGitLabRoutable reports whether tok ends in the routable-token checksum of everything
// before it. It checks nothing else; see gitlabRoutableShape for the structure.
func ValidGitLabRoutable(tok []byte) bool {
	if len(tok) <= gitlabCRCLen {
		return false
	}
	n := len(tok) - gitlabCRCLen
	return GitLabChecksum(tok[:n]) == string(tok[n:])
}

// gitlabRoutableShape reports whether tok, a routable token starting with prefix, has a
// consistent structure: the length field equals len(B) and B decodes to 16 random bytes, a
// payload of at most 159 bytes and a last byte holding the payload length. A random string
// that merely matches the pattern rarely passes, so this check stands in for the checksum
// where the checksum fails (see GitLabPATRoutable).
func gitlabRoutableShape(tok []byte, prefix string) bool {
	if len(tok) < len(prefix)+1+gitlabLenLen+gitlabCRCLen || !bytes.HasPrefix(tok, []byte(prefix)) {
		return false
	}
	rest := tok[len(prefix):]
	dot := bytes.IndexByte(rest, '.')
	if dot < 0 {
		return false
	}
	b, tail := rest[:dot], rest[dot+1:]
	if bytes.HasPrefix(tail, []byte(gitlabVersion+".")) {
		tail = tail[len(gitlabVersion)+1:]
	}
	if len(tail) != gitlabLenLen+gitlabCRCLen {
		return false
	}
	l, err := strconv.ParseUint(string(tail[:gitlabLenLen]), 36, 16)
	if err != nil || int(l) != len(b) {
		return false
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(string(b))
	if err != nil || len(raw) < gitlabRandomLen+1 {
		return false
	}
	n := int(raw[len(raw)-1])
	return n <= gitlabMaxPayload && len(raw) == gitlabRandomLen+n+1
}

// GitLabRoutableToken builds a checksum-valid routable GitLab token from a prefix ("glpat-"),
// 16 random bytes and a routing payload ("o:1\nu:2", at most 159 bytes), with the ".01."
// version field when versioned is true. It is for tests, which must not keep token-shaped
// literals in the tree; it returns "" for a payload that is too long.
func GitLabRoutableToken(prefix string, random [16]byte, payload string, versioned bool) string {
	if len(payload) > gitlabMaxPayload {
		return ""
	}
	raw := make([]byte, 0, gitlabRandomLen+len(payload)+1)
	raw = append(raw, random[:]...)
	raw = append(raw, payload...)
	raw = append(raw, byte(len(payload)))
	b := base64.RawURLEncoding.EncodeToString(raw)
	l := strconv.FormatUint(uint64(len(b)), 36)
	l = strings.Repeat("0", gitlabLenLen-len(l)) + l
	tok := prefix + b + "."
	if versioned {
		tok += gitlabVersion + "."
	}
	tok += l
	return tok + GitLabChecksum([]byte(tok))
}

// gitlabRoutable is the pattern of a routable token's body, after the prefix.
const gitlabRoutable = `[0-9A-Za-z_-]{27,300}\.(?:01\.)?[0-9a-z]{9}`

// validGitLabFamily is the Validate func of GitLab's non-PAT prefixed tokens: a routable
// token with a valid checksum is ConfidenceChecksum; anything else the pattern accepted
// (the legacy fixed-length forms, or a routable form whose prefix layout patrol does not
// know for sure, like the runner's "glrt-t1_") is ConfidencePattern.
func validGitLabFamily(tok []byte) (Confidence, bool) {
	if bytes.IndexByte(tok, '.') >= 0 && ValidGitLabRoutable(tok) {
		return ConfidenceChecksum, true
	}
	return ConfidencePattern, true
}

// gitlabFamily builds a detector for a GitLab token with a fixed prefix: legacy is the
// pattern of the pre-routable body; the routable form is accepted as well.
func gitlabFamily(id, prefix, legacy, desc string) *Detector {
	return &Detector{
		ID:          id,
		Provider:    "gitlab",
		Description: desc,
		RotateURL:   "https://docs.gitlab.com/security/tokens/",
		Checks:      "CRC32, base36",
		Keywords:    []string{prefix},
		Pattern:     bounded(regexp.QuoteMeta(prefix) + `(?:` + gitlabRoutable + `|` + legacy + `)`),
		Before:      8,
		After:       340,
		MinEntropy:  3,
		Validate:    validGitLabFamily,
	}
}
