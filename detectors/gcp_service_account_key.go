package detectors

import (
	"encoding/json"
	"strings"
)

func init() { register(GCPServiceAccountKey) }

// GCPServiceAccountKey finds Google Cloud service account key files: a JSON object with
// "type": "service_account", a "private_key" holding a PKCS#8 PEM block and a
// "client_email" under gserviceaccount.com, keys in any order, pretty-printed or minified
// (and, through the scanner's decoders, inside base64, as in Kubernetes Secrets and CI
// variables). ValidateMatch parses the whole object with encoding/json: a fragment that is not
// a valid key file, or whose key body is a placeholder, is not reported.
//
// The token is the PEM block inside the private_key value (its trailing "\n" excluded): the
// very span the private-key detector reports, so the scanner keeps one finding, under this
// more specific rule id, whose email points at the GCP page to delete the key.
//
// References: https://cloud.google.com/iam/docs/keys-create-delete#creating
func GCPServiceAccountKey() *Detector {
	return &Detector{
		ID:          "gcp-service-account-key",
		Description: "Google Cloud service account key file (JSON)",
		Keywords:    []string{"service_account", "gserviceaccount"},
		// A key file is one flat object; the key body holds no quote.
		Pattern: `\{[^{}]*?"private_key"\s*:\s*"(-----BEGIN PRIVATE KEY-----[^"]*?-----END PRIVATE KEY-----)(?:\\n)*"[^{}]*\}`,
		// A key file is about 2.3 KB; its keywords may sit on either side of the key.
		Before:           4096,
		After:            4096,
		KeepPlaceholders: true, // validPEMBody checks the key body
		Validate:         validPEMBody,
		ValidateMatch:    validGCPKeyFile,
		RotateURL:        "https://cloud.google.com/iam/docs/keys-create-delete#deleting",
	}
}

// gcpKeyFile is the part of a service account key file that validGCPKeyFile checks.
type gcpKeyFile struct {
	Type         string `json:"type"`
	PrivateKeyID string `json:"private_key_id"`
	PrivateKey   string `json:"private_key"`
	ClientEmail  string `json:"client_email"`
}

// validGCPKeyFile parses the JSON object around the key: it must decode, say it is a
// service account, carry a 40-hex-digit private_key_id and a client_email of a
// gserviceaccount.com domain, and its private_key must be the PEM block reported.
func validGCPKeyFile(match []byte, start, end int) (Confidence, bool) {
	var k gcpKeyFile
	if err := json.Unmarshal(match, &k); err != nil {
		return "", false
	}
	_, domain, _ := strings.Cut(k.ClientEmail, "@")
	switch {
	case k.Type != "service_account",
		len(k.PrivateKeyID) != 40 || !isHexString(k.PrivateKeyID),
		!strings.HasSuffix(domain, "gserviceaccount.com"),
		IsPlaceholder([]byte(domain)):
		return "", false
	}
	// The raw span, its escapes undone, is the decoded value up to its trailing newline.
	pem := strings.NewReplacer(`\n`, "\n", `\r`, "", `\/`, "/").Replace(string(match[start:end]))
	if strings.TrimRight(strings.ReplaceAll(k.PrivateKey, "\r", ""), "\n") != pem {
		return "", false
	}
	return ConfidencePattern, true
}
