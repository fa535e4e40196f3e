package detectors

import (
	"strings"
	"testing"
)

// notionLeads are the contexts placed before the true positives of notion-token: the older
// secret_ form needs the word notion before it.
var notionLeads = []string{
	"",
	"NOTION_TOKEN=",
	"const { Client } = require('@notionhq/client');\nconst notion = new Client({ auth: '",
}

// notionToken builds a synthetic current-format token: ntn_ + 11 digits + 35 alphanumerics.
func notionToken(seed uint64) string {
	return "ntn_" + rnd(seed, digits, 11) + rnd(seed+1, alnum, 35)
}

func init() { registerCases(NotionToken, casesNotionToken, notionLeads...) }

func casesNotionToken() ([]tp, []fp) {
	legacy := "secret_" + rnd(2800, alnum, 43)
	return []tp{
			{"ntn_", notionToken(2801), ConfidencePattern},
			{"secret_ after NOTION_TOKEN", legacy, ConfidencePattern},
			{"secret_ in code", "secret_" + rnd(2803, alnum, 43), ConfidencePattern},
			{"ntn_ 2", notionToken(2805), ConfidencePattern},
		}, []fp{
			{"secret_ without notion", "API_SECRET=" + legacy},
			{"notion too far", "notion" + strings.Repeat(" ", 210) + legacy},
			{"ntn_ too few digits", "ntn_" + rnd(2807, digits, 10) + rnd(2808, letters, 36)},
			{"ntn_ placeholder", "ntn_" + strings.Repeat("x", 46)},
			{"ntn_ too long", notionToken(2809) + "a"},
			{"secret_ too short", "NOTION_TOKEN=secret_" + rnd(2810, alnum, 42)},
		}
}

func TestNotionToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesNotionToken()
	checkDetector(t, NotionToken(), tps, fps, notionLeads...)
}
