package detectors

import (
	"strings"
	"testing"
)

// fcmServerKey builds a synthetic FCM server key: AAAA + 7 + :APA91b + 134.
func fcmServerKey(seed uint64) string {
	return "AAAA" + rnd(seed, b64url, 7) + ":APA91b" + rnd(seed+1, b64url, 134)
}

func init() { registerCases(FirebaseCloudMessagingServerKey, casesFirebaseCloudMessagingServerKey) }

func casesFirebaseCloudMessagingServerKey() ([]tp, []fp) {
	tok := fcmServerKey(3200)
	return []tp{
			{"random 1", tok, ConfidencePattern},
			{"random 2", fcmServerKey(3202), ConfidencePattern},
			{"random 3", fcmServerKey(3204), ConfidencePattern},
		}, []fp{
			{"device token", rnd(3206, b64url, 22) + ":APA91b" + rnd(3207, b64url, 134)},
			{"short", tok[:len(tok)-1]},
			{"long", tok + "a"},
			{"placeholder", "AAAA" + strings.Repeat("x", 7) + ":APA91b" + strings.Repeat("x", 134)},
		}
}

func TestFirebaseCloudMessagingServerKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesFirebaseCloudMessagingServerKey()
	checkDetector(t, FirebaseCloudMessagingServerKey(), tps, fps)
}
