package detectors

import (
	"strings"
	"testing"
)

// terraformToken builds a synthetic API token with a tail of n characters.
func terraformToken(seed uint64, n int) string {
	return rnd(seed, alnum, 14) + ".atlasv1." + rnd(seed+1, b64url, n)
}

func init() { registerCases(TerraformCloudToken, casesTerraformCloudToken) }

func casesTerraformCloudToken() ([]tp, []fp) {
	tok := terraformToken(2990, 67)
	return []tp{
			{"67-char tail", tok, ConfidencePattern},
			{"60-char tail", terraformToken(2992, 60), ConfidencePattern},
			{"70-char tail", terraformToken(2994, 70), ConfidencePattern},
		}, []fp{
			{"placeholder", strings.Repeat("x", 14) + ".atlasv1." + strings.Repeat("x", 67)},
			{"13-char id", tok[1:]},
			{"short tail", terraformToken(2996, 59)},
			{"long tail", terraformToken(2998, 71)},
			{"template", `token = "<TFC_TOKEN>.atlasv1.<rest>"`},
			{"other version", strings.Replace(tok, "atlasv1", "atlasv2", 1)},
		}
}

func TestTerraformCloudToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesTerraformCloudToken()
	checkDetector(t, TerraformCloudToken(), tps, fps)
}
