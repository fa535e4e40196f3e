package detectors

func init() { register(FirebaseCloudMessagingServerKey) }

// FirebaseCloudMessagingServerKey finds Firebase Cloud Messaging legacy server keys: AAAA +
// 7 characters + ":APA91b" + 134 characters, all [0-9A-Za-z_-]. Device registration tokens
// also carry ":APA91b" but start with an instance id, not AAAA + 7, and are not secrets of
// the sender.
//
// References: https://firebase.google.com/docs/cloud-messaging/auth-server#authorize-legacy-protocol-send-requests
func FirebaseCloudMessagingServerKey() *Detector {
	return &Detector{
		ID:          "firebase-cloud-messaging-server-key",
		Description: "Firebase Cloud Messaging legacy server key",
		Keywords:    []string{":apa91b"},
		Pattern:     bounded(`AAAA[0-9A-Za-z_-]{7}:APA91b[0-9A-Za-z_-]{134}`),
		Before:      16,
		After:       144,
		MinEntropy:  4,
		RotateURL:   "https://firebase.google.com/docs/cloud-messaging/migrate-v1",
	}
}
