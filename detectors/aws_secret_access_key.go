package detectors

func init() { register(AWSSecretAccessKey) }

// AWSSecretAccessKey finds AWS secret access keys: 40 characters of standard base64 with no
// padding. That alone is any base64 run, so the key must follow its name within the same
// assignment: aws_secret_access_key, secret_access_key, SecretAccessKey, aws_secret_key,
// aws-secret-access-key (any case), then ":", "=", "=>" or ":=" (or plain spaces, as on a
// command line), optionally quoted.
//
// References: https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html
func AWSSecretAccessKey() *Detector {
	return &Detector{
		ID:          "aws-secret-access-key",
		Description: "AWS secret access key (next to its variable name)",
		RotateURL:   "https://docs.aws.amazon.com/IAM/latest/UserGuide/id-credentials-access-keys-update.html",
		Keywords:    []string{"secret_access_key", "secret-access-key", "secretaccesskey", "aws_secret", "aws-secret"},
		Pattern: `(?i:secret[_-]?access[_-]?key|aws[_-]?secret(?:[_-]?key)?)` +
			`["']?(?:[ \t]*(?::=|=>|[:=])[ \t]*|[ \t]+)["']?` +
			`([0-9A-Za-z/+]{40})(?:[^0-9A-Za-z/+=]|$)`,
		Before:     8,
		After:      80,
		MinEntropy: 4,
	}
}
