package detectors

import (
	"strings"
	"testing"
)

// genericLeads are the assignments placed before the true positives of
// generic-secret-assignment, which needs a credential-like name before the value.
var genericLeads = []string{
	"DB_PASSWORD=",
	"clientSecret: ",
	`"api_key": "`,
	"--auth-token ",
	"spring.datasource.password = ",
	"$ApiKey = '",
}

func init() { registerCases(GenericSecretAssignment, casesGenericSecretAssignment, genericLeads...) }

// genericSecret returns a synthetic high-entropy value of n alphanumeric bytes with at
// least one digit and one letter.
func genericSecret(seed uint64, n int) string {
	return rnd(seed, letters, 1) + rnd(seed+1, alnum, n-2) + rnd(seed+2, digits, 1)
}

func casesGenericSecretAssignment() ([]tp, []fp) {
	v := genericSecret(5000, 24)
	return []tp{
			{"env", v, ConfidenceGeneric},
			{"yaml camel", genericSecret(5003, 32), ConfidenceGeneric},
			{"json", genericSecret(5006, 40), ConfidenceGeneric},
			{"flag", genericSecret(5009, 16), ConfidenceGeneric},
			{"properties", rnd(5012, b64std, 43) + "=", ConfidenceGeneric},
			{"powershell", genericSecret(5015, 12), ConfidenceGeneric},
		}, []fp{
			{"no credential name", "CACHE_DIR=" + v},
			{"author", "author: " + v},
			{"tokenizer", "tokenizer = " + v},
			{"secretary", `"secretary": "` + v + `"`},
			{"token type", "token_type: " + v},
			{"password file", "password_file: " + v},
			{"secret name", "secretName: " + v},
			{"template", "password: ${DB_PASSWORD}"},
			{"go env read", `password := os.Getenv("DB_PASSWORD")`},
			{"node env read", "const apiKey = process.env.API_KEY;"},
			{"field read", "token = self.config.token2"},
			{"env var name", "secret: GITHUB_TOKEN_V2"},
			{"path", "private_key: /etc/ssl/private/server1.key"},
			{"relative path", "password_path = ./secrets/db1.txt"},
			{"url", "token_url: https://auth.example.invalid/oauth2/token1"},
			{"changeme", "PASSWORD=changeme123"},
			{"your", "api_key = your-api-key-2"},
			{"xxx", "password: xxxx1234xxxx"},
			{"jinja", "password: {{ vault_db_password }}"},
			{"python format", "password = %(db_password)s"},
			{"no digit", "password = " + rnd(5020, letters, 24)},
			{"no letter", "pwd=" + rnd(5021, digits, 16)},
			{"low entropy", "password = aaaabbbb1111"},
			{"sequential", "password = abcd1234"},
			{"too short", "password = a1b2c3"},
			{"version", "token_version: 1.2.3-beta4"},
			{"snake identifier", "secret_ref = db_main_v2_secret"},
			{"call", "token = generateToken(user1)"},
			{"prose", "the password is not stored"},
			{"doc word", "password: " + "hunter2" + "example"},
			{"name on next line", "password:\n  " + v},
			{"comparison", "if token == nil {"},
			{"arithmetic", "tokens = 2*maxCompilerConcurrency + minTokens*cfg.BuildP"},
			{"prose", "// the format of an 8Q~ secret: Marvin32 written most significant digit first"},
			{"format in prose", "// builds a synthetic app-level token: xapp-1-A<10>-<13 digits>-<64 hex>."},
			{"word and number", "password: Summer2024"},
		}
}

func TestGenericSecretAssignment(t *testing.T) {
	t.Parallel()
	tps, fps := casesGenericSecretAssignment()
	checkDetector(t, GenericSecretAssignment(), tps, fps, genericLeads...)
}

// TestGenericSecretAssignmentForms checks the generic rule against the ways people write a
// credential: one row per syntax, each holding the value once.
func TestGenericSecretAssignmentForms(t *testing.T) {
	t.Parallel()
	v := genericSecret(5030, 28)
	d := GenericSecretAssignment()
	checkForms(t, d, v, []form{
		{"dotenv", "DB_PASSWORD=" + v + "\n"},
		{"dotenv quoted", `export API_TOKEN="` + v + `"`},
		{"yaml", "db:\n  password: " + v + "\n"},
		{"yaml quoted", "auth:\n  clientSecret: '" + v + "'\n"},
		{"json", `{"api_key": "` + v + `", "n": 1}`},
		{"json spaced", `{ "accessKey" : "` + v + `" }`},
		{"json escaped", `"{\"secret\":\"` + v + `\"}"`},
		{"ini", "[db]\npassword = " + v + "\n"},
		{"toml", `secret_key = "` + v + `"`},
		{"properties", "spring.datasource.password=" + v},
		{"xml element", "<password>" + v + "</password>"},
		{"xml element with attribute", `<Secret type="plain">` + v + "</Secret>"},
		{"xml attribute", `<db user="app" password="` + v + `"/>`},
		{"appSettings", `<add key="StripeApiKey" value="` + v + `" />`},
		{"connection string", "Server=db1;Database=app;User Id=app;Password=" + v + ";"},
		{"go", `password := "` + v + `"`},
		{"go struct", `Token: "` + v + `",`},
		{"go const", "const apiKey = `" + v + "`"},
		{"python", "SECRET_KEY = '" + v + "'"},
		{"python kwarg", `client(api_key="` + v + `")`},
		{"javascript", `const authToken = "` + v + `";`},
		{"typescript object", `{ privateKey: '` + v + `' }`},
		{"csharp", `private const string ClientSecret = "` + v + `";`},
		{"java", `String dbPassword = "` + v + `";`},
		{"powershell", `$Password = "` + v + `"`},
		{"powershell env", `$env:API_TOKEN = "` + v + `"`},
		{"ruby", `:secret_token => "` + v + `"`},
		{"php", `'password' => '` + v + `',`},
		{"flag equals", "deploy --api-key=" + v + " --yes"},
		{"flag space", "mysql --password " + v + " -h db"},
		{"powershell parameter", "Connect-Thing -Token " + v},
		{"header", "X-Api-Key: " + v},
		{"query", "GET /v1?access_token=" + v + "&x=1"},
		{"numbered", "PASSWORD2=" + v},
		{"suffixed", "API_KEY_PROD=" + v},
		{"at sign ends", "password: " + v + "@db1.internal"},
	})
	b64 := rnd(5033, b64std, 42) + "=="
	checkForms(t, d, b64, []form{{"base64 padded", "secret: " + b64}})
	jwtish := rnd(5034, b64url, 36) + "." + rnd(5035, b64url, 48) + "." + rnd(5036, b64url, 43)
	checkForms(t, d, jwtish, []form{{"jwt-like", "id_token: " + jwtish}})
}

func TestGenericValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"random 12", genericSecret(5040, 12), true},
		{"random 64", genericSecret(5041, 64), true},
		{"hex 40", rnd(5042, hexLo, 39) + "a", true},
		{"seven bytes", "a1B2c3D", false},
		{"201 bytes", genericSecret(5043, 201), false},
		{"dotted identifier", "settings.Token2", false},
		{"env name", "AWS_SECRET_2", false},
		{"windows env", "%APPDATA%1x", false},
		{"windows path", `C:\keys\a1.pem`, false},
		{"home path", "~/keys/id_rsa2", false},
		{"key file", "deploy1.pem", false},
		{"scheme url", "s3://bucket1/key", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := genericValue([]byte(tt.in)); got != tt.want {
				t.Errorf("genericValue(%q) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}

// TestGenericNeverClaimsFormattedTokens checks that the engine can rank the two: a GitHub
// token assigned to a credential name is found by both, and the format detector's checksum
// outranks the generic match.
func TestGenericNeverClaimsFormattedTokens(t *testing.T) {
	t.Parallel()
	tok := ghToken(5050, "ghp_")
	in := "GITHUB_TOKEN=" + tok
	gen := GenericSecretAssignment().Find([]byte(in))
	spec := GitHubClassicPAT().Find([]byte(in))
	if len(gen) != 1 || len(spec) != 1 {
		t.Fatalf("generic found %d, github-classic-pat %d, want 1 each", len(gen), len(spec))
	}
	if Rank(spec[0].Confidence) <= Rank(gen[0].Confidence) {
		t.Errorf("Rank(%s) <= Rank(%s), want the format detector to win", spec[0].Confidence, gen[0].Confidence)
	}
}

// genericBenchText is Go source that names tokens and secrets on most lines without assigning
// a literal to them: what the generic rule's keywords hit in a client library's history.
func genericBenchText() []byte {
	lines := []string{
		"// Token returns the OAuth2 access token of the client, refreshing it when needed.",
		"func (c *Client) Token(ctx context.Context) (*oauth2.Token, error) {",
		"\ttok, err := c.tokenSource.Token()",
		"\treq.Header.Set(\"Authorization\", \"token \"+c.token)",
		"\tif secret := opts.ClientSecret; secret != \"\" {",
		"\tAccessToken *string `json:\"access_token,omitempty\"`",
		"\tfmt.Fprint(w, `{\"token\":\"t\",\"expires_at\":\"2020-01-22T12:13:35.123Z\"}`)",
		"\tpassword, _ := u.User.Password()",
		"\tconst tokenURL = \"https://github.com/login/oauth/access_token\"",
		"\treturn &Credentials{Token: token, Secret: secret}, nil",
	}
	var b strings.Builder
	for b.Len() < 1<<20 {
		for _, l := range lines {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return []byte(b.String())
}

// BenchmarkGeneric measures the generic rule's pattern over text its keywords hit on most
// lines, in 512-byte windows (the scanner's worst case: every window merged into the next).
func BenchmarkGeneric(b *testing.B) {
	buf := genericBenchText()
	d := GenericSecretAssignment()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		for w := buf; len(w) > 0; {
			n := min(len(w), 512) // a merged window of the scanner
			if ms := d.Find(w[:n]); len(ms) != 0 {
				b.Fatalf("Find = %d matches, want none", len(ms))
			}
			w = w[n:]
		}
	}
}
