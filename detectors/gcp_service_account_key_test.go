package detectors

import (
	"encoding/base64"
	"strings"
	"testing"
)

// gcpFields returns the fields of a synthetic service account key file around its
// private_key: project, key id, email, client id.
func gcpFields(seed uint64) (project, keyID, email, clientID string) {
	project = "billing-prod-" + rnd(seed, digits, 6)
	return project, rnd(seed+1, hexLo, 40), "ci-deployer@" + project + ".iam.gserviceaccount.com", rnd(seed+2, digits, 21)
}

// gcpLeadTail returns the text before and after the private_key's PEM block of a synthetic
// key file: Google's order pretty-printed (form 0), minified with type last (1), or
// pretty-printed with private_key first (2).
func gcpLeadTail(seed uint64, form int) (lead, tail string) {
	project, keyID, email, clientID := gcpFields(seed)
	urls := `"auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": "https://oauth2.googleapis.com/token", ` +
		`"client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/` + strings.Replace(email, "@", "%40", 1) + `"`
	switch form {
	case 0:
		return "{\n  \"type\": \"service_account\",\n  \"project_id\": \"" + project + "\",\n  \"private_key_id\": \"" + keyID +
				"\",\n  \"private_key\": \"",
			`\n",` + "\n  \"client_email\": \"" + email + "\",\n  \"client_id\": \"" + clientID + "\",\n  " + urls +
				",\n  \"universe_domain\": \"googleapis.com\"\n}\n"
	case 1:
		return `{"client_email":"` + email + `","private_key_id":"` + keyID + `","private_key":"`,
			`\n","client_id":"` + clientID + `","project_id":"` + project + `","type":"service_account"}`
	default:
		return "{\n\t\"private_key\": \"",
			`\n",` + "\n\t\"private_key_id\": \"" + keyID + "\",\n\t\"type\": \"service_account\",\n\t\"client_email\": \"" +
				email + "\",\n\t" + urls + "\n}"
	}
}

var gcpLeads, gcpTails = func() (leads, tails []string) {
	for form := range 3 {
		l, t := gcpLeadTail(4600+uint64(form)*10, form)
		leads, tails = append(leads, l), append(tails, t)
	}
	return leads, tails
}()

func init() { registerCasesAround(GCPServiceAccountKey, casesGCPServiceAccountKey, gcpLeads, gcpTails) }

func casesGCPServiceAccountKey() ([]tp, []fp) {
	key := func(seed uint64) string { return pemBlock(seed, "PRIVATE KEY", 26, `\n`) }
	file := func(seed uint64, form int, pem string) string {
		l, t := gcpLeadTail(seed, form)
		return l + pem + t
	}
	return []tp{
			{"Google's order, pretty", key(4650), ConfidencePattern},
			{"minified, type last", key(4660), ConfidencePattern},
			{"private_key first", key(4670), ConfidencePattern},
		}, []fp{
			{"documentation body", file(4680, 0, "-----"+`BEGIN PRIVATE KEY-----\nPRIVATE_KEY\n-----END PRIVATE KEY-----`)},
			{"another type", strings.Replace(file(4681, 1, key(4682)), "service_account", "authorized_user", 1)},
			{"not a service account email", strings.Replace(file(4683, 0, key(4684)), ".iam.gserviceaccount.com", ".example.com", 1)},
			{"placeholder key id", strings.Replace(file(4685, 1, key(4686)), `"private_key_id":"`, `"private_key_id":"KEY_ID`, 1)},
			{"truncated", strings.TrimSuffix(file(4687, 1, key(4688)), `"type":"service_account"}`)},
			{"not JSON", strings.Replace(file(4689, 0, key(4690)), `"type": `, `type = `, 1)},
		}
}

func TestGCPServiceAccountKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesGCPServiceAccountKey()
	checkDetectorAround(t, GCPServiceAccountKey(), tps, fps, gcpLeads, gcpTails)
}

// TestGCPServiceAccountKeyBase64 finds a key file inside base64 (a Kubernetes Secret's data,
// a CI variable) the way the scanner does: DecodeRuns, then the detector over what decoded.
func TestGCPServiceAccountKeyBase64(t *testing.T) {
	t.Parallel()
	pem := pemBlock(4700, "PRIVATE KEY", 26, `\n`)
	lead, tail := gcpLeadTail(4710, 0)
	secret := "apiVersion: v1\nkind: Secret\ndata:\n  key.json: " + base64.StdEncoding.EncodeToString([]byte(lead+pem+tail)) + "\n"
	var got []string
	for _, r := range DecodeRuns([]byte(secret)) {
		got = append(got, findAll(GCPServiceAccountKey(), string(r.Data))...)
	}
	if len(got) != 1 || got[0] != pem {
		t.Errorf("Find(decoded base64 key file) = %d tokens, want the one PEM block", len(got))
	}
}
