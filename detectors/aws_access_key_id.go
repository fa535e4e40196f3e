package detectors

func init() { register(AWSAccessKeyID) }

// AWSAccessKeyID finds AWS access key ids: AKIA (long-term), ASIA (STS temporary), ABIA
// (STS service bearer) or ACCA (context-specific) + 16 characters of the base32 alphabet
// [A-Z2-7]. A key id alone authenticates nothing, but it marks a leak and names the account;
// the secret beside it is AWSSecretAccessKey.
//
// References: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
func AWSAccessKeyID() *Detector {
	return &Detector{
		ID:          "aws-access-key-id",
		Description: "AWS access key id",
		RotateURL:   "https://docs.aws.amazon.com/IAM/latest/UserGuide/id-credentials-access-keys-update.html",
		Keywords:    []string{"akia", "asia", "abia", "acca"},
		Pattern:     bounded(`(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}`),
		Before:      8,
		After:       24,
		MinEntropy:  3,
	}
}
