package detectors

import (
	"strings"
	"testing"
)

// herokuLeads are the contexts placed before the true positives of heroku-api-key: the
// legacy UUID form needs the word heroku and a credential name before it.
var herokuLeads = []string{
	"",
	"HEROKU_API_KEY=",
	"machine api.heroku.com\n  login someone@example.invalid\n  password ",
	`{"heroku": {"api_token": "`,
}

// herokuUUID builds a synthetic lower-case UUID.
func herokuUUID(seed uint64) string {
	return rnd(seed, hexLo, 8) + "-" + rnd(seed+1, hexLo, 4) + "-4" + rnd(seed+2, hexLo, 3) + "-a" + rnd(seed+3, hexLo, 3) + "-" + rnd(seed+4, hexLo, 12)
}

func init() { registerCases(HerokuAPIKey, casesHerokuAPIKey, herokuLeads...) }

func casesHerokuAPIKey() ([]tp, []fp) {
	key := herokuUUID(2950)
	return []tp{
			{"HRKU-", "HRKU-AA" + rnd(2960, b64url, 58), ConfidencePattern},
			{"env", key, ConfidencePattern},
			{"netrc", herokuUUID(2961), ConfidencePattern},
			{"json", herokuUUID(2966), ConfidencePattern},
		}, []fp{
			{"uuid without heroku", "API_KEY=" + key},
			{"app id", "HEROKU_APP_ID=" + key},
			{"heroku too far", "heroku" + strings.Repeat(" ", 90) + "api_key=" + key},
			{"HRKU- too short", "HRKU-AA" + rnd(2971, b64url, 57)},
			{"HRKU- placeholder", "HRKU-AA" + strings.Repeat("x", 58)},
			{"zero uuid", "HEROKU_API_KEY=00000000-0000-0000-0000-000000000000"},
		}
}

func TestHerokuAPIKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesHerokuAPIKey()
	checkDetector(t, HerokuAPIKey(), tps, fps, herokuLeads...)
}
