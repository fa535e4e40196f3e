package detectors

import (
	"strings"
	"testing"
)

// awsSecretLeads are the assignments placed before the true positives of
// aws-secret-access-key, which needs its variable name or its key id beside the value.
var awsSecretLeads = []string{
	"aws_secret_access_key = ",
	`"SecretAccessKey": "`,
	"AWS_SECRET_KEY=",
	"--aws-secret-access-key ",
	"<SecretAccessKey>",
}

func init() { registerCases(AWSSecretAccessKey, casesAWSSecretAccessKey, awsSecretLeads...) }

// awsKeyID returns a synthetic access key id: AKIA + 16 base32 characters.
func awsKeyID(seed uint64) string { return "AKIA" + rnd(seed, b32up, 16) }

func casesAWSSecretAccessKey() ([]tp, []fp) {
	key := rnd(240, b64std, 40)
	return []tp{
			{"credentials file", key, ConfidencePattern},
			{"JSON", rnd(241, b64std, 40), ConfidencePattern},
			{"env", rnd(242, b64std, 40), ConfidencePattern},
			{"command line", rnd(243, b64std, 40), ConfidencePattern},
			{"XML element", rnd(244, b64std, 40), ConfidencePattern},
		}, []fp{
			{"no variable name", "TOKEN=" + key},
			{"name on another line", "aws_secret_access_key:\n  " + key},
			{"docs example", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY"},
			{"41 characters", "aws_secret_access_key = " + key + "Q"},
			{"low entropy", "aws_secret_access_key = " + strings.Repeat("abcd", 10)},
			{"template", "aws_secret_access_key = <your-secret-access-key>"},
			{"key id three lines before", awsKeyID(245) + "\n\n\n\"" + key + "\""},
			{"key id, then a longer run", awsKeyID(246) + `", "` + key + "QQQQ" + `"`},
			{"secret_key without aws", "secret_key = " + key},
		}
}

func TestAWSSecretAccessKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesAWSSecretAccessKey()
	checkDetector(t, AWSSecretAccessKey(), tps, fps, awsSecretLeads...)
}

// TestAWSSecretAccessKeyForms checks the ways people write an AWS secret key (issue 18,
// point 4): one row per syntax, each holding the key once.
func TestAWSSecretAccessKeyForms(t *testing.T) {
	t.Parallel()
	key, id := rnd(250, b64std, 40), awsKeyID(251)
	checkForms(t, AWSSecretAccessKey(), key, []form{
		{"json", `{"aws_access_key_id": "` + id + `", "aws_secret_access_key": "` + key + `"}`},
		{"json appsettings", "{\n  \"AWS\": {\n    \"AccessKey\": \"" + id + "\",\n    \"SecretKey\": \"" + key + "\"\n  }\n}"},
		{"yaml", "aws:\n  secretAccessKey: " + key + "\n"},
		{"xml element", "<SecretAccessKey>" + key + "</SecretAccessKey>"},
		{"xml appSettings", `<add key="AWSSecretKey" value="` + key + `" />`},
		{"ini", "[default]\naws_secret_access_key = " + key + "\n"},
		{"dotenv", "AWS_SECRET_ACCESS_KEY=" + key + "\n"},
		{"csharp", `var creds = new BasicAWSCredentials("` + id + `", "` + key + `");`},
		{"cpp", `Aws::Auth::AWSCredentials creds("` + id + `", "` + key + `");`},
		{"go", `credentials.NewStaticCredentials("` + id + `", "` + key + `", "")`},
		{"python", `boto3.client("s3", aws_access_key_id="` + id + `", aws_secret_access_key="` + key + `")`},
		{"javascript", `new S3Client({ credentials: { accessKeyId: "` + id + `", secretAccessKey: "` + key + `" } })`},
		{"java", "AWSCredentials c = new BasicAWSCredentials(\n    \"" + id + "\",\n    \"" + key + "\");"},
		{"powershell", "Set-AWSCredential -AccessKey " + id + " -SecretKey " + key + " -StoreAs default"},
		{"aws cli", "aws configure set aws_secret_access_key " + key},
		{"docker", "docker run -e AWS_SECRET_ACCESS_KEY=" + key + " app"},
		{"flag", "terraform apply -var aws-secret-access-key=" + key},
	})
}
