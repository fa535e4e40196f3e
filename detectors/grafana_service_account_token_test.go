package detectors

import (
	"strings"
	"testing"
)

// grafanaToken builds a checksum-valid Grafana service account token.
func grafanaToken(seed uint64) string {
	key := "glsa_" + rnd(seed, alnum, 32)
	return key + "_" + GrafanaChecksum([]byte(key))
}

func TestGrafanaChecksum(t *testing.T) {
	t.Parallel()
	// Grafana's own test vector (pkg/components/satokengen/tokengen_test.go), in pieces.
	if got := GrafanaChecksum([]byte("glsa_" + "iNValIdinValiDinvalidinvalidinva")); got != "5b58"+"2697" {
		t.Errorf("GrafanaChecksum(grafana vector) = %s, want 5b582697", got)
	}
}

func init() { registerCases(GrafanaServiceAccountToken, casesGrafanaServiceAccountToken) }

func casesGrafanaServiceAccountToken() ([]tp, []fp) {
	tok := grafanaToken(600)
	return []tp{
			{"random 1", tok, ConfidenceChecksum},
			{"random 2", grafanaToken(601), ConfidenceChecksum},
			{"grafana test vector", "glsa_" + "iNValIdinValiDinvalidinvalidinva" + "_5b582697", ConfidenceChecksum},
		}, []fp{
			{"checksum mismatch", flipLast(tok)},
			{"placeholder", "glsa_" + strings.Repeat("X", 32) + "_AAAAAAAA"},
			{"too short", "glsa_" + tok[6:]},
			{"upper-case checksum", tok[:len(tok)-8] + "ABCDEF12"},
			{"cloud token prefix", "glc_" + tok[5:]},
		}
}

func TestGrafanaServiceAccountToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesGrafanaServiceAccountToken()
	checkDetector(t, GrafanaServiceAccountToken(), tps, fps)
}
