package config

import (
	"strings"
	"testing"
)

func TestLoadInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want []string
	}{
		{"invalid-unknown-key.yaml", []string{`invalid-unknown-key.yaml:5:5: unknown field "colour"`}},
		{"invalid-regex.yaml", []string{
			"invalid-regex.yaml:4: rules[0].regex: error parsing regexp: missing closing ]",
			`invalid-regex.yaml:6: rules[1].id: "Bad_ID" is not kebab-case`,
		}},
		{"invalid-syntax.yaml", []string{"invalid-syntax.yaml:3:4:"}},
		{"invalid-builtin-id.yaml", []string{`rules[0].id: "github-classic-pat" is a built-in detector id`}},
		{"invalid-no-keywords.yaml", []string{"rules[0]: keywords: at least one literal keyword is required"}},
		{"invalid-env.yaml", []string{"fingerprint_key_file: environment variable PATROL_TEST_UNSET_VAR is not set"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			_, err := Load("testdata/" + tt.file)
			if err == nil {
				t.Fatalf("Load(%s) = nil error, want %q", tt.file, tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Load(%s) = %q, want it to contain %q", tt.file, err, w)
				}
			}
		})
	}
}

func TestLoadValid(t *testing.T) {
	t.Setenv("PATROL_TEST_KEYFILE", "/tmp/k")
	c, err := Parse("patrol.yaml", []byte(`
fingerprint_key_file: ${PATROL_TEST_KEYFILE}
rules:
  - id: acme-api-key
    description: ACME API key
    regex: '\b(acme_[a-z0-9]{32})\b'
    keywords: [acme_]
    min_entropy: 3
providers:
  github: {base_url: https://api.github.com/, revoke: true}
`))
	if err != nil {
		t.Fatalf("Parse = %v", err)
	}
	if c.FingerprintKeyFile != "/tmp/k" {
		t.Errorf("FingerprintKeyFile = %q, want /tmp/k", c.FingerprintKeyFile)
	}
	ds := c.Detectors()
	last := ds[len(ds)-1]
	if last.ID != "acme-api-key" {
		t.Fatalf("last detector = %s, want acme-api-key", last.ID)
	}
	buf := "key = acme_" + "q8w2e7r4t1y9u3i6o0p5a8s2d7f4g1h9" + "\n"
	if got := last.Find([]byte(buf)); len(got) != 1 {
		t.Errorf("custom rule Find = %d matches, want 1", len(got))
	}
	if len(c.Providers) == 0 {
		t.Errorf("providers section not kept")
	}
}

// FuzzParse feeds arbitrary bytes to the config loader: it must return a config or an error,
// never panic, and a config it accepts must hold only rules that compile.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"rules:\n  - id: acme-key\n    regex: 'acme_[a-z0-9]{32}'\n    keywords: [acme_]\n",
		"fingerprint_key_file: /tmp/k\nmax_blob_size: 10\n",
		"providers:\n  github: {base_url: https://api.github.com/}\n",
		"rules: [",
		"{a: b}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		c, err := Parse("fuzz.yaml", src)
		if err != nil {
			return
		}
		for _, d := range c.Detectors() {
			if err := d.Compile(); err != nil {
				t.Errorf("accepted config holds a rule that does not compile: %v", err)
			}
		}
	})
}

func TestEnvRefsInFlowMappings(t *testing.T) {
	t.Setenv("PATROL_TEST_PW", "a#b: c, {d}")
	c, err := Parse("patrol.yaml", []byte("notify:\n  smtp: {host: h, password: ${PATROL_TEST_PW}, port: 25}\n  list: [${PATROL_TEST_PW}]\n"))
	if err != nil {
		t.Fatalf("Parse = %v", err)
	}
	var n struct {
		SMTP struct {
			Host, Password string
			Port           int
		} `yaml:"smtp"`
		List []string `yaml:"list"`
	}
	if err := c.DecodeSection("notify", c.Notify, &n); err != nil {
		t.Fatalf("DecodeSection = %v", err)
	}
	if n.SMTP.Password != "a#b: c, {d}" || n.SMTP.Port != 25 || len(n.List) != 1 || n.List[0] != "a#b: c, {d}" {
		t.Errorf("decoded = %+v, want the variable's value verbatim", n)
	}
}

func TestSectionErrorsHaveFileLines(t *testing.T) {
	t.Parallel()
	c, err := Parse("patrol.yaml", []byte("rules: []\nnotify:\n  smtp:\n    hots: x\n"))
	if err != nil {
		t.Fatal(err)
	}
	var n struct {
		SMTP struct{ Host string } `yaml:"smtp"`
	}
	err = c.DecodeSection("notify", c.Notify, &n)
	if err == nil || !strings.Contains(err.Error(), "patrol.yaml:4:") || !strings.Contains(err.Error(), "hots") {
		t.Errorf("DecodeSection = %v, want an error at patrol.yaml:4 naming hots", err)
	}
}

func TestRejectTags(t *testing.T) {
	t.Parallel()
	for _, src := range []string{"!!binary x: 1\nrules: []\n", "rules: !custom []\n", "max_blob_size: !!int 5\n"} {
		if _, err := Parse("t.yaml", []byte(src)); err == nil || !strings.Contains(err.Error(), "tag") {
			t.Errorf("Parse(%q) = %v, want a tag error", src, err)
		}
	}
}
