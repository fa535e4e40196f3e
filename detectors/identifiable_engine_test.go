package detectors_test

import (
	"testing"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/scanner"
)

// TestIdentifiableStorageKeyReportedOnce scans a connection string holding an identifiable
// storage key through the scanner's engine: both azure-storage-identifiable-key and the
// keyword detector azure-storage-account-key match it, and the token must be reported once,
// by the checksum detector (All lists it first).
func TestIdentifiableStorageKeyReportedOnce(t *testing.T) {
	t.Parallel()
	random := make([]byte, 64)
	for i := range random {
		random[i] = byte(i*37 + 11)
	}
	tok := detectors.IdentifiableKey(random, "+ASt", 64, false, 0x44656661756c7430)
	in := "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + tok + ";EndpointSuffix=core.windows.net\n"
	e := scanner.NewEngine(detectors.All(), scanner.EngineOptions{Key: []byte("test")})
	var got []scanner.Finding
	e.Scan([]byte(in), []scanner.Location{{Source: scanner.SourceStdin}}, func(f scanner.Finding) { got = append(got, f) })
	if len(got) != 1 {
		ids := make([]string, len(got))
		for i, f := range got {
			ids[i] = f.DetectorID
		}
		t.Fatalf("Scan found %d findings %v, want 1", len(got), ids)
	}
	if got[0].DetectorID != "azure-storage-identifiable-key" || got[0].Confidence != detectors.ConfidenceChecksum {
		t.Errorf("Scan found %s (%s), want azure-storage-identifiable-key (checksum)", got[0].DetectorID, got[0].Confidence)
	}
}
