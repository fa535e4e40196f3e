package detectors

func init() { register(AWSSecretAccessKey) }

// AWSSecretAccessKey finds AWS secret access keys: 40 characters of standard base64 with no
// padding. That alone is any base64 run, so the key must be named or partnered:
//
//   - after its variable name (aws_secret_access_key, secret_access_key, SecretAccessKey,
//     aws_secret_key, AWSSecretKey, aws-secret-access-key, any case) and an assignment as
//     written in .env, shell, YAML, JSON, INI and code (":", "=", "=>", ":="), an XML element
//     (<SecretAccessKey>…), an appSettings entry (key="AWSSecretKey" value="…") or a
//     command line (--aws-secret-access-key …, aws configure set aws_secret_access_key …,
//     PowerShell -SecretKey …), optionally quoted;
//   - or within two lines after its access key id (AKIA…/ASIA…), as SDK constructors take
//     them (new BasicAWSCredentials("AKIA…", "…") in C# and Java, NewStaticCredentials in Go,
//     AWSCredentials in C++, a JSON object with both).
//
// References: https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html
func AWSSecretAccessKey() *Detector {
	return &Detector{
		ID:          "aws-secret-access-key",
		Description: "AWS secret access key (next to its variable name or its access key id)",
		Keywords:    []string{"secret_access_key", "secret-access-key", "secretaccesskey", "aws_secret", "aws-secret", "awssecret", "-secretkey", "akia", "asia"},
		Pattern: `(?:` +
			`(?:(?i:secret[_-]?access[_-]?key|aws[_-]?secret(?:[_-]?(?:access[_-]?)?key)?)|-(?i:secretkey))` +
			`["']?(?:[ \t]*(?::=|=>|[:=])[ \t]*|[ \t]+|>|[ \t]+(?i:value)[ \t]*=[ \t]*)["']?` +
			`|(?:AKIA|ASIA)[A-Z2-7]{16}["']?[^\r\n]{0,60}?(?:\r?\n[^\r\n]{0,60}?){0,2}?["'\s=:>,]` +
			`)([0-9A-Za-z/+]{40})(?:[^0-9A-Za-z/+=]|$)`,
		Before:     8,
		After:      240,
		MinEntropy: 4,
		RotateURL:  "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#rotating_access_keys_console",
	}
}
