package detectors

import (
	"bytes"
	"encoding/base64"
)

func init() { register(GitHubAppInstallationStateless) }

// GitHubAppInstallationStateless finds the stateless GitHub App installation token,
// ghs_<app id>_<JWT> (about 520 characters, rolled out from 2026-04-27). The JWT's header and
// payload must decode to JSON objects and the header must name its "alg"; there is no
// checksum, so a match is ConfidencePattern.
//
// References: https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/authenticating-as-a-github-app-installation
func GitHubAppInstallationStateless() *Detector {
	return &Detector{
		ID:          "github-app-installation-stateless",
		Provider:    "github",
		Description: "GitHub App installation access token (stateless ghs_<app id>_<JWT>)",
		RotateURL:   "https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/token-expiration-and-revocation",
		Keywords:    []string{"ghs_"},
		Pattern: `(?:^|[^0-9A-Za-z_])(ghs_[0-9]{1,20}_[0-9A-Za-z_-]{16,}\.[0-9A-Za-z_-]{16,}\.[0-9A-Za-z_-]{16,})` +
			`(?:[^0-9A-Za-z_.-]|$)`,
		Before:     8,
		After:      2048,
		MinEntropy: 3.5,
		Validate:   validStatelessGHS,
	}
}

// validStatelessGHS checks that the JWT after ghs_<app id>_ has a JSON header naming its
// algorithm and a JSON payload.
func validStatelessGHS(tok []byte) (Confidence, bool) {
	rest := tok[len("ghs_"):]
	i := bytes.IndexByte(rest, '_')
	if i < 0 {
		return "", false
	}
	parts := bytes.SplitN(rest[i+1:], []byte("."), 3)
	if len(parts) != 3 {
		return "", false
	}
	header, err := base64.RawURLEncoding.DecodeString(string(parts[0]))
	if err != nil || !bytes.HasPrefix(header, []byte("{")) || !bytes.Contains(header, []byte(`"alg"`)) {
		return "", false
	}
	payload, err := base64.RawURLEncoding.DecodeString(string(parts[1]))
	if err != nil || !bytes.HasPrefix(payload, []byte("{")) {
		return "", false
	}
	return ConfidencePattern, true
}
