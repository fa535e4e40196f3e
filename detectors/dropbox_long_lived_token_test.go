package detectors

import (
	"strings"
	"testing"
)

// dropboxLeads are the contexts placed before the true positives of
// dropbox-long-lived-token, which needs the word dropbox beside its token.
var dropboxLeads = []string{
	"DROPBOX_ACCESS_TOKEN=",
	`dbx = dropbox.Dropbox("`,
	`"dropbox_token": "`,
	"dropbox:\n  access_token: ",
}

// dropboxLongLived builds a synthetic long-lived token: 11 + ten A's + 43 characters.
func dropboxLongLived(seed uint64) string {
	return rnd(seed, b64url, 11) + strings.Repeat("A", 10) + rnd(seed+1, b64url, 43)
}

func init() { registerCases(DropboxLongLivedToken, casesDropboxLongLivedToken, dropboxLeads...) }

func casesDropboxLongLivedToken() ([]tp, []fp) {
	tok := dropboxLongLived(3140)
	return []tp{
			{"env", tok, ConfidencePattern},
			{"SDK", dropboxLongLived(3142), ConfidencePattern},
			{"JSON", dropboxLongLived(3144), ConfidencePattern},
			{"nested YAML", dropboxLongLived(3148), ConfidencePattern},
		}, []fp{
			{"no keyword", "ACCESS_TOKEN=" + tok},
			{"nine A's", "DROPBOX_ACCESS_TOKEN=" + rnd(3146, b64url, 12) + strings.Repeat("A", 9) + rnd(3147, b64url, 43)},
			{"keyword on another line", "dropbox:\n  " + tok},
			{"longer run", "DROPBOX_ACCESS_TOKEN=" + tok + "x"},
		}
}

func TestDropboxLongLivedToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesDropboxLongLivedToken()
	checkDetector(t, DropboxLongLivedToken(), tps, fps, dropboxLeads...)
}
