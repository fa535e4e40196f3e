package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(MailchimpAPIKey, casesMailchimpAPIKey) }

func casesMailchimpAPIKey() ([]tp, []fp) {
	tok := rnd(2200, hexLo, 32) + "-us6"
	return []tp{
			{"us6", tok, ConfidencePattern},
			{"us21", rnd(2201, hexLo, 32) + "-us21", ConfidencePattern},
			{"us1", rnd(2202, hexLo, 32) + "-us1", ConfidencePattern},
		}, []fp{
			{"no data center", rnd(2203, hexLo, 32)},
			{"locale", "md5 " + rnd(2204, hexLo, 32) + "-usa"},
			{"placeholder", strings.Repeat("0", 32) + "-us6"},
			{"31 hex", rnd(2205, hexLo, 31) + "-us6"},
			{"3-digit data center", tok + "00"},
			{"upper-case hex", strings.ToUpper(rnd(2206, hexLo, 32)) + "-us6"},
			{"en-us", "Accept-Language: en-us"},
		}
}

func TestMailchimpAPIKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesMailchimpAPIKey()
	checkDetector(t, MailchimpAPIKey(), tps, fps)
}
