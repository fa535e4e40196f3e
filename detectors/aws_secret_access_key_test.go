package detectors

import (
	"strings"
	"testing"
)

// awsSecretLeads are the assignments placed before the true positives of
// aws-secret-access-key, which needs its variable name beside the value.
var awsSecretLeads = []string{
	"aws_secret_access_key = ",
	`"SecretAccessKey": "`,
	"AWS_SECRET_KEY=",
	"--aws-secret-access-key ",
}

func init() { registerCases(AWSSecretAccessKey, casesAWSSecretAccessKey, awsSecretLeads...) }

func casesAWSSecretAccessKey() ([]tp, []fp) {
	key := rnd(240, b64std, 40)
	return []tp{
			{"credentials file", key, ConfidencePattern},
			{"JSON", rnd(241, b64std, 40), ConfidencePattern},
			{"env", rnd(242, b64std, 40), ConfidencePattern},
			{"command line", rnd(243, b64std, 40), ConfidencePattern},
		}, []fp{
			{"no variable name", "TOKEN=" + key},
			{"name on another line", "aws_secret_access_key:\n  " + key},
			{"docs example", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY"},
			{"41 characters", "aws_secret_access_key = " + key + "Q"},
			{"low entropy", "aws_secret_access_key = " + strings.Repeat("abcd", 10)},
			{"template", "aws_secret_access_key = <your-secret-access-key>"},
		}
}

func TestAWSSecretAccessKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesAWSSecretAccessKey()
	checkDetector(t, AWSSecretAccessKey(), tps, fps, awsSecretLeads...)
}
