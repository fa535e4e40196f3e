package scanner

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

// TestEngineStructured checks how credentials inside structures come out of the engine: one
// finding per secret, under the most specific rule id, at the secret's own span.
func TestEngineStructured(t *testing.T) {
	t.Parallel()
	var pem strings.Builder
	pem.WriteString("-----" + `BEGIN PRIVATE KEY-----\n`)
	for i := range 26 {
		pem.WriteString(base64.StdEncoding.EncodeToString([]byte(rnd(uint64(4800+i), 48))) + `\n`)
	}
	pem.WriteString("-----END PRIVATE KEY-----")
	keyFile := `{"type":"service_account","project_id":"billing-prod-1","private_key_id":"` +
		hex.EncodeToString([]byte(rnd(4830, 20))) + `","private_key":"` + pem.String() +
		`\n","client_email":"ci@billing-prod-1.iam.gserviceaccount.com"}`
	g, pw := ghp(4840), rnd(4841, 20)
	hf := "hf_" + strings.Map(func(r rune) rune { // letters only
		if r >= '0' && r <= '9' {
			return r - '0' + 'q'
		}
		return r
	}, rnd(4842, 34))
	tests := []struct {
		name   string
		input  string
		want   string // detector id of the single finding
		secret string // its secret, when not encoded
	}{
		{"gcp key file, not also private-key", keyFile, "gcp-service-account-key", pem.String()},
		{"gcp key file in base64", "key.json: " + base64.StdEncoding.EncodeToString([]byte(keyFile)) + "\n", "gcp-service-account-key", ""},
		{"GitHub PAT as a URL password", "git remote add origin https://ci:" + g + "@github.com/o/r.git\n", "github-classic-pat", g},
		{"GitHub PAT as a database password", "DATABASE_URL=postgres://app:" + g + "@db.prod.internal/app\n", "github-classic-pat", g},
		{"Hugging Face token as a URL password", "https://hf_user:" + hf + "@huggingface.co/org/model\n", "huggingface-token", hf},
		{"database password", "DATABASE_URL=postgres://app:" + pw + "@db.prod.internal/app\n", "database-url-password", pw},
	}
	e := newTestEngine()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := scanString(e, tt.input)
			if len(got) != 1 || got[0].DetectorID != tt.want {
				var ids []string
				for _, f := range got {
					ids = append(ids, f.DetectorID)
				}
				t.Fatalf("Scan = %v, want [%s]", ids, tt.want)
			}
			if tt.secret != "" && got[0].Secret.Reveal() != tt.secret {
				t.Errorf("Scan secret is %d bytes, want the %d-byte secret", len(got[0].Secret.Reveal()), len(tt.secret))
			}
		})
	}
}
