package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/robfig/cron/v3"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/notify"
	"github.com/patrolsec/patrol/revoke/providers"
	"github.com/patrolsec/patrol/store"
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
		{"invalid-top-level-key.yaml", []string{`invalid-top-level-key.yaml:2:1: unknown field "target"`}},
		{"invalid-two-documents.yaml", []string{"invalid-two-documents.yaml: 2 YAML documents, want one"}},
		// Every section's problem in one run, each at its line.
		{"invalid-sections.yaml", []string{
			`invalid-sections.yaml:2:12: unknown field "bogus_key"`,
			`invalid-sections.yaml:3: store.dsn: required for the postgres driver`,
			`invalid-sections.yaml:5: notify.smtp.tls: "weird" is not starttls, implicit or none`,
			`invalid-sections.yaml:5: notify.smtp.from: "nope" is not an email address`,
		}},
		{"invalid-provider-url.yaml", []string{
			`invalid-provider-url.yaml:3: providers.github.base_url: "http://ghe.contoso.com": http would send tokens unencrypted`,
		}},
		// A decoding error without a position (a custom duration type) is placed at its key.
		{"invalid-provider-duration.yaml", []string{
			`invalid-provider-duration.yaml:4:22: providers.azuredevops.confirm_timeout: "forever" is not a duration`,
		}},
		{"invalid-serve.yaml", []string{
			`invalid-serve.yaml:2: serve.listen: "9847" is not host:port`,
			"invalid-serve.yaml:3: serve.workers: 0 is less than 1",
			`invalid-serve.yaml:4: serve.schedule: "61 * * * *" is not a schedule: end of range (61) above maximum (59)`,
			`invalid-serve.yaml:5: serve.sweep: "@every nonsense" is not a schedule`,
		}},
		{"invalid-serve-duration.yaml", []string{
			`invalid-serve-duration.yaml:3:21: serve.shutdown_timeout: time: unknown unit "x" in duration "5x"`,
		}},
		// Each target decodes and validates on its own: one bad item hides no other.
		{"invalid-targets.yaml", []string{
			"invalid-targets.yaml:3: targets[0]: github and git are set together",
			"invalid-targets.yaml:5: targets[1].github: org and user are both set",
			`invalid-targets.yaml:6: targets[2].github.org: "https://github.com/contoso" is not an organization name`,
			`invalid-targets.yaml:7: targets[3].github.base_url: "http://ghe.contoso.com/api/v3/": http would send the token unencrypted`,
			"invalid-targets.yaml:8: targets[4].azuredevops: token or token_file is required",
			"invalid-targets.yaml:9: targets[5].gitlab.token: environment variable PATROL_TEST_UNSET_TOKEN is not set",
			"invalid-targets.yaml:9: targets[5].gitlab: group is required",
			`invalid-targets.yaml:10: targets[6].git.url: "http://git.contoso.com/app.git": http would send credentials unencrypted`,
			"invalid-targets.yaml:11: targets[7].git.url: user information does not belong in the URL (value withheld",
			"invalid-targets.yaml:12: targets[8].path: dir is required",
			`invalid-targets.yaml:14:5: unknown field "schedule"`,
			`invalid-targets.yaml:15: targets[10].git.schedule: "every day" is not a schedule`,
			`invalid-targets.yaml:16:28: unknown field "colour"`,
			"invalid-targets.yaml:17: targets[12]: empty: write one of github, azuredevops, gitlab, git or path",
			"invalid-targets.yaml:18: targets[13].github.alerts: reading secret-scanning alerts needs token or token_file",
		}},
		{"invalid-webhooks.yaml", []string{
			"invalid-webhooks.yaml:2: webhooks.github: secret or secret_file is required",
			"invalid-webhooks.yaml:4: webhooks.gitlab: token and token_file are both set; keep one",
			"invalid-webhooks.yaml:6: webhooks.azuredevops.password_file: testdata/empty-secret.txt is empty",
			"invalid-webhooks.yaml:6: webhooks.azuredevops: username is required",
		}},
		{"invalid-webhooks-empty.yaml", []string{
			"invalid-webhooks-empty.yaml:2: webhooks.github: empty: write {secret: …}, or leave the key out",
			"invalid-webhooks-empty.yaml:3: webhooks.gitlab: empty: write {token: …}, or leave the key out",
		}},
		{"invalid-decode-depth.yaml", []string{
			"invalid-decode-depth.yaml:1: max_decode_depth: -1 is negative",
		}},
		{"invalid-secret-file.yaml", []string{
			"invalid-secret-file.yaml:4: targets[0].azuredevops.token_file: open testdata/no-such-file.txt: no such file or directory",
		}},
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
			if got, want := strings.Count(err.Error(), "\n")+1, len(tt.want); got != want {
				t.Errorf("Load(%s) = %d problems, want %d:\n%v", tt.file, got, want, err)
			}
		})
	}
}

// exampleEnv is the environment the example config expands; the values are placeholders.
var exampleEnv = map[string]string{
	"PATROL_TEST_GITHUB_TOKEN":          "not-a-token-github",
	"PATROL_TEST_ADO_READ_PAT":          "not-a-token-ado-read",
	"PATROL_TEST_GITLAB_TOKEN":          "not-a-token-gitlab",
	"PATROL_TEST_GITHUB_WEBHOOK_SECRET": "not-a-secret-hook",
	"PATROL_TEST_ADO_HOOK_PASSWORD":     "not-a-password-hook",
	"PATROL_TEST_ADO_ADMIN_PAT":         "not-a-token-ado-admin",
	"PATROL_TEST_SMTP_PASSWORD":         "not-a-password-smtp",
}

// secretsEqual compares Secrets by value (secret.Token keeps it unexported).
var secretsEqual = cmp.Comparer(func(a, b Secret) bool { return a.Reveal() == b.Reveal() })

// TestLoadExample decodes the issue-12 example with every section into the typed config.
func TestLoadExample(t *testing.T) {
	for k, v := range exampleEnv {
		t.Setenv(k, v)
	}
	c, err := Load("testdata/example.yaml")
	if err != nil {
		t.Fatalf("Load(example.yaml) = %v", err)
	}
	const fromFile = "not-a-token-from-a-file"
	want := &Config{
		FingerprintKeyFile: "/var/lib/patrol/key",
		MaxBlobSize:        5 << 20,
		MaxArchiveDepth:    DefaultMaxArchiveDepth,
		MaxDecodeDepth:     4,
		Rules: []Rule{{
			ID: "acme-api-key", Description: "ACME API key", Regex: `\b(acme_[a-z0-9]{32})\b`,
			Keywords: []string{"acme_"}, MinEntropy: 3,
		}},
		Store: store.Config{Driver: "sqlite", DSN: "/var/lib/patrol/patrol.db", BusyTimeout: 10 * time.Second},
		Serve: Serve{
			Listen: ":9847", CloneDir: "/var/lib/patrol/repos", Workers: 4,
			Schedule: "*/30 * * * *", Sweep: "@every 6h", ShutdownTimeout: 45 * time.Second, ScanTimeout: 2 * time.Hour,
		},
		Targets: []Target{
			{GitHub: &GitHubTarget{Org: "contoso", Token: NewSecret("not-a-token-github"), Schedule: "*/30 * * * *"}},
			{GitHub: &GitHubTarget{
				User: "octocat", BaseURL: "https://ghe.contoso.com/api/v3/", IncludeForks: true, IncludeArchived: true,
				Alerts: true, Token: NewSecret(fromFile), TokenFile: "testdata/not-a-token.txt", Schedule: "@hourly",
			}},
			{AzureDevOps: &AzureDevOpsTarget{
				Org: "contoso", Token: NewSecret("not-a-token-ado-read"), Projects: []string{"app"}, Schedule: "*/30 * * * *",
			}},
			{AzureDevOps: &AzureDevOpsTarget{
				BaseURL: "https://tfs.contoso.com/tfs/DefaultCollection/", Token: NewSecret(fromFile),
				TokenFile: "testdata/not-a-token.txt", Schedule: "*/30 * * * *",
			}},
			{GitLab: &GitLabTarget{
				Group: "contoso/platform", Token: NewSecret("not-a-token-gitlab"), BaseURL: "https://gitlab.contoso.com/",
				Schedule: "*/30 * * * *",
			}},
			{Git: &GitTarget{URL: "https://dev.azure.com/contoso/app/_git/app", Schedule: "@hourly"}},
			{Git: &GitTarget{URL: "git@github.com:contoso/tools.git", Schedule: "*/30 * * * *"}},
			{Path: &PathTarget{Dir: "/srv/repos/legacy", Schedule: "*/30 * * * *"}},
			{Path: &PathTarget{Dir: "/srv/repos/other", Schedule: "@every 2h"}},
		},
		Webhooks: Webhooks{
			GitHub:      &GitHubWebhook{Secret: NewSecret("not-a-secret-hook")},
			GitLab:      &GitLabWebhook{Token: NewSecret(fromFile), TokenFile: "testdata/not-a-token.txt"},
			AzureDevOps: &AzureDevOpsWebhook{Username: "patrol", Password: NewSecret("not-a-password-hook")},
		},
		Providers: providers.Config{
			AzureDevOps: &providers.AzureDevOpsConfig{
				Orgs: []string{"contoso"}, AdminToken: "not-a-token-ado-admin", BaseURL: "https://dev.azure.com/",
				VSSPSURL: "https://vssps.dev.azure.com/", Revoke: new(true), ConfirmTimeout: providers.Duration(30 * time.Minute),
			},
			GitHub: &providers.GitHubConfig{BaseConfig: providers.BaseConfig{BaseURL: "https://api.github.com/", Revoke: new(true)}},
			GitLab: &providers.BaseConfig{BaseURL: "https://gitlab.com/", Revoke: new(true)},
			Slack:  &providers.BaseConfig{BaseURL: "https://slack.com/api/", Revoke: new(false)},
		},
		Notify: notify.Config{
			SMTP: &notify.SMTPConfig{
				Host: "smtp.contoso.com", Port: 587, Username: "patrol", Password: "not-a-password-smtp",
				From: "patrol@contoso.com", TLS: "starttls",
			},
			SecurityTeam: "secops@contoso.com",
		},
	}
	if diff := cmp.Diff(want, c, secretsEqual, cmpopts.IgnoreUnexported(Config{})); diff != "" {
		t.Errorf("Load(example.yaml) mismatch (-want +got):\n%s", diff)
	}
	if got := c.Path(); got != "testdata/example.yaml" {
		t.Errorf("Path() = %q, want testdata/example.yaml", got)
	}
	for i, tg := range c.Targets {
		if _, err := cron.ParseStandard(tg.Schedule()); err != nil {
			t.Errorf("targets[%d].Schedule() = %q: %v", i, tg.Schedule(), err)
		}
	}
	kinds := make([]string, len(c.Targets))
	for i, tg := range c.Targets {
		kinds[i] = tg.Kind()
	}
	wantKinds := []string{KindGitHub, KindGitHub, KindAzureDevOps, KindAzureDevOps, KindGitLab, KindGit, KindGit, KindPath, KindPath}
	if diff := cmp.Diff(wantKinds, kinds); diff != "" {
		t.Errorf("Kind() of each target (-want +got):\n%s", diff)
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
	if g := c.Providers.GitHub; g == nil || g.BaseURL != "https://api.github.com/" || g.Revoke == nil || !*g.Revoke {
		t.Errorf("Providers.GitHub = %+v, want the providers section kept", g)
	}
}

// TestDefaults pins the one set of defaults: a config file listens on every interface, a run
// without one on loopback only.
func TestDefaults(t *testing.T) {
	t.Parallel()
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Skipf("no user cache directory: %v", err)
	}
	wantServe := Serve{
		Listen: "127.0.0.1:9847", CloneDir: filepath.Join(cache, "patrol", "repos"), Workers: 4,
		Schedule: "*/30 * * * *", Sweep: "@every 6h", ShutdownTimeout: 30 * time.Second, ScanTimeout: 2 * time.Hour,
	}
	if diff := cmp.Diff(wantServe, DefaultServe()); diff != "" {
		t.Errorf("DefaultServe() mismatch (-want +got):\n%s", diff)
	}
	d := Default()
	if diff := cmp.Diff(wantServe, d.Serve); diff != "" {
		t.Errorf("Default().Serve mismatch (-want +got):\n%s", diff)
	}
	if d.MaxBlobSize != 10<<20 {
		t.Errorf("Default().MaxBlobSize = %d, want 10 MiB", d.MaxBlobSize)
	}
	if d.MaxArchiveDepth != 2 {
		t.Errorf("Default().MaxArchiveDepth = %d, want 2", d.MaxArchiveDepth)
	}
	for _, tt := range []struct {
		src  string
		want int
	}{{"max_archive_depth: 0\n", 0}, {"max_archive_depth: 5\n", 5}, {"rules: []\n", 2}} {
		c, err := Parse("t.yaml", []byte(tt.src))
		if err != nil {
			t.Errorf("Parse(%q) = %v", tt.src, err)
		} else if c.MaxArchiveDepth != tt.want {
			t.Errorf("Parse(%q).MaxArchiveDepth = %d, want %d", tt.src, c.MaxArchiveDepth, tt.want)
		}
	}
	if _, err := Parse("t.yaml", []byte("max_archive_depth: -1\n")); err == nil || !strings.Contains(err.Error(), "max_archive_depth: -1 is negative") {
		t.Errorf("Parse(max_archive_depth: -1) = %v, want it named negative", err)
	}
	if err := d.Validate(); err != nil {
		t.Errorf("Default().Validate() = %v, want nil", err)
	}
	for _, src := range []string{"", "# only a comment\n", "serve:\n", "serve: {workers: 8}\n"} {
		c, err := Parse("patrol.yaml", []byte(src))
		if err != nil {
			t.Fatalf("Parse(%q) = %v", src, err)
		}
		want := wantServe
		want.Listen = ":9847"
		if strings.Contains(src, "workers") {
			want.Workers = 8
		}
		if diff := cmp.Diff(want, c.Serve); diff != "" {
			t.Errorf("Parse(%q).Serve mismatch (-want +got):\n%s", src, diff)
		}
	}
}

// TestEnvInNestedSecrets: ${VAR} reaches the tokens of targets and webhooks, whatever YAML
// syntax the value holds.
func TestEnvInNestedSecrets(t *testing.T) {
	t.Setenv("PATROL_TEST_GH", "not-a-token: {x}, #y")
	t.Setenv("PATROL_TEST_ADO", "not-a-token-ado")
	t.Setenv("PATROL_TEST_HOOK", "not-a-secret")
	c, err := Parse("patrol.yaml", []byte(`
targets:
  - github: {org: contoso, token: ${PATROL_TEST_GH}}
  - azuredevops:
      org: contoso
      token: ${PATROL_TEST_ADO}
      projects: [app]
webhooks:
  github:
    secret: "prefix-${PATROL_TEST_HOOK}"
`))
	if err != nil {
		t.Fatalf("Parse = %v", err)
	}
	for _, tt := range []struct {
		name      string
		got, want string
	}{
		{"targets[0].github.token", c.Targets[0].GitHub.Token.Reveal(), "not-a-token: {x}, #y"},
		{"targets[1].azuredevops.token", c.Targets[1].AzureDevOps.Token.Reveal(), "not-a-token-ado"},
		{"webhooks.github.secret", c.Webhooks.GitHub.Secret.Reveal(), "prefix-not-a-secret"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

// TestSecretsNeverPrint: the credentials of targets and webhooks print as [REDACTED] in every
// form a log line or an error could take.
func TestSecretsNeverPrint(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "hook")
	if err := os.WriteFile(file, []byte("not-a-secret-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATROL_TEST_TOKEN", "not-a-token-in-env")
	c, err := Parse("patrol.yaml", []byte(`
targets:
  - gitlab: {group: contoso, token: ${PATROL_TEST_TOKEN}}
webhooks:
  gitlab: {token_file: `+file+`}
  azuredevops: {username: patrol, password: ${PATROL_TEST_TOKEN}}
`))
	if err != nil {
		t.Fatalf("Parse = %v", err)
	}
	if got := c.Webhooks.GitLab.Token.Reveal(); got != "not-a-secret-from-file" {
		t.Errorf("webhooks.gitlab.token from file = %q, want it without the newline", got)
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "targets", c.Targets, "webhooks", c.Webhooks,
		"token", c.Targets[0].GitLab.Token)
	for _, form := range []string{
		fmt.Sprintf("%v %+v %#v %s %q %x", c.Targets, c.Targets, c.Targets, c.Targets[0].GitLab.Token,
			c.Targets[0].GitLab.Token, c.Targets[0].GitLab.Token),
		fmt.Sprintf("%v %+v %#v", c.Webhooks, *c.Webhooks.GitLab, *c.Webhooks.AzureDevOps),
		logged.String(),
	} {
		for _, raw := range []string{"not-a-token-in-env", "not-a-secret-from-file", "6e6f742d"} {
			if strings.Contains(form, raw) {
				t.Errorf("printed config holds a secret %q: %s", raw, form)
			}
		}
	}
}

func TestGitURLs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url  string
		want string // a substring of the problem, "" for none
	}{
		{"https://github.com/contoso/app.git", ""},
		{"https://dev.azure.com/contoso/app/_git/app", ""},
		{"ssh://git@github.com/contoso/app.git", ""},
		{"git@github.com:contoso/app.git", ""},
		{"git@ssh.dev.azure.com:v3/contoso/app/app", ""},
		{"contoso@vs-ssh.visualstudio.com:v3/contoso/app/app", ""},
		{"file:///srv/git/app.git", ""},
		{"/srv/git/app.git", ""},
		{"http://127.0.0.1:8080/app.git", ""},
		{"http://[::1]/app.git", ""},
		{"http://localhost/app.git", ""},
		{"", "required"},
		{"http://git.contoso.com/app.git", "http would send credentials unencrypted"},
		{"git://git.contoso.com/app.git", "neither encrypted nor authenticated"},
		{"https://not-a-token@github.com/contoso/app", "value withheld"},
		{"https://u:not-a-password@github.com/contoso/app", "value withheld"},
		{"ssh://git:not-a-password@github.com/contoso/app", "value withheld"},
		{"https://github.com/contoso/app?access_token=x", "value withheld"},
		{"ftp://git.contoso.com/app.git", "must be https, ssh or file"},
		{"https:///app.git", "has no host"},
		{"relative/dir", "is not a git URL"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			t.Parallel()
			got := gitURLProblem(tt.url)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("gitURLProblem(%q) = %q, want %q", tt.url, got, tt.want)
			}
			for _, secret := range []string{"not-a-token", "not-a-password", "access_token"} {
				if strings.Contains(got, secret) {
					t.Errorf("gitURLProblem(%q) = %q, which repeats a credential", tt.url, got)
				}
			}
		})
	}
}

func TestBaseURLs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url  string
		want string
	}{
		{"", ""},
		{"https://api.github.com/", ""},
		{"https://tfs.contoso.com/tfs/DefaultCollection/", ""},
		{"http://127.0.0.1:1234/", ""},
		{"http://[::1]:1234/api/v3/", ""},
		{"http://localhost/", ""},
		{"http://ghe.contoso.com/api/v3/", "http would send the token unencrypted"},
		{"http://localhost.contoso.com/", "http would send the token unencrypted"},
		{"ftp://ghe.contoso.com/", "the scheme must be https"},
		{"api.github.com", "is not an absolute URL"},
		{"https://not-a-token@api.github.com/", "credentials do not belong in the URL (value withheld)"},
		{"https://api.github.com/?token=not-a-token", "no query or fragment allowed (value withheld)"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			t.Parallel()
			ps := (&Config{path: "p.yaml"}).baseURLProblems("targets[0].github.base_url", tt.url)
			got := ""
			if len(ps) > 0 {
				got = ps.err().Error()
			}
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("baseURLProblems(%q) = %q, want %q", tt.url, got, tt.want)
			}
			if strings.Contains(got, "not-a-token") {
				t.Errorf("baseURLProblems(%q) = %q, which repeats a credential", tt.url, got)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	c, err := Parse("patrol.yaml", []byte(`
rules:
  - {id: acme-api-key, description: ACME API key, regex: 'acme_[a-z0-9]{32}', keywords: [acme_]}
  - {id: acme-legacy-key, regex: 'acmel_[a-z0-9]{32}', keywords: [acmel_]}
`))
	if err != nil {
		t.Fatalf("Parse = %v", err)
	}
	var builtin string
	for _, d := range c.Detectors() {
		if d.ID == "github-classic-pat" {
			builtin = d.Description
		}
	}
	if builtin == "" {
		t.Fatal("no description for github-classic-pat among Detectors()")
	}
	for _, tt := range []struct{ id, want string }{
		{"github-classic-pat", builtin},
		{"acme-api-key", "ACME API key"},
		{"acme-legacy-key", "acme-legacy-key"},
		{"no-such-rule", "no-such-rule"},
	} {
		if got := c.Describe(tt.id); got != tt.want {
			t.Errorf("Describe(%q) = %q, want %q", tt.id, got, tt.want)
		}
	}
}

// TestTestdataHoldsNoTokens runs every detector over testdata: the fixtures hold placeholders
// and ${VARS}, never a token-shaped literal.
func TestTestdataHoldsNoTokens(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/*")
	if err != nil {
		t.Fatal(err)
	}
	ds := Default().Detectors()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // the fuzz corpus directory
		}
		for _, d := range ds {
			if ms := d.Find(b); len(ms) > 0 {
				t.Errorf("%s holds %d match(es) of %s; use a ${VAR} or a placeholder", f, len(ms), d.ID)
			}
		}
	}
}

func TestEnvRefsInFlowMappings(t *testing.T) {
	t.Setenv("PATROL_TEST_PW", "a#b: c, {d}")
	c, err := Parse("patrol.yaml", []byte("notify:\n  smtp: {host: h, username: u, password: ${PATROL_TEST_PW}, port: 25, from: a@contoso.com}\n"+
		"rules:\n  - {id: acme-key, regex: 'acme_[a-z]{9}', keywords: [${PATROL_TEST_PW}]}\n"))
	if err != nil {
		t.Fatalf("Parse = %v", err)
	}
	n := c.Notify.SMTP
	if n == nil || n.Password != "a#b: c, {d}" || n.Port != 25 || len(c.Rules[0].Keywords) != 1 || c.Rules[0].Keywords[0] != "a#b: c, {d}" {
		t.Errorf("decoded = %+v, %q; want the variable's value verbatim", n, c.Rules[0].Keywords)
	}
}

func TestSectionErrorsHaveFileLines(t *testing.T) {
	t.Parallel()
	_, err := Parse("patrol.yaml", []byte("rules: []\nnotify:\n  smtp:\n    hots: x\n"))
	if err == nil || !strings.Contains(err.Error(), "patrol.yaml:4:") || !strings.Contains(err.Error(), "hots") {
		t.Errorf("Parse = %v, want an error at patrol.yaml:4 naming hots", err)
	}
}

// TestAliases: anchors and aliases work, also across targets, but a "billion laughs" of
// nested aliases is refused before the decoder expands it (it would run for minutes).
func TestAliases(t *testing.T) {
	t.Parallel()
	c, err := Parse("patrol.yaml", []byte(`
targets:
  - github: {org: contoso, token: &tok not-a-token, schedule: &every "@every 2h"}
  - github: {org: fabrikam, token: *tok, schedule: *every}
`))
	if err != nil {
		t.Fatalf("Parse = %v", err)
	}
	if a, b := c.Targets[0].GitHub, c.Targets[1].GitHub; b.Token.Reveal() != "not-a-token" || b.Schedule != "@every 2h" || a.Token.Reveal() != "not-a-token" {
		t.Errorf("aliased target = %+v, want the anchor's token and schedule", b)
	}

	var bomb strings.Builder
	bomb.WriteString("x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&bomb, "x%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 9), ", "))
	}
	bomb.WriteString("rules:\n  - {id: acme-key, regex: 'acme_[a-z]{9}', keywords: *a8}\n")
	if _, err := Parse("bomb.yaml", []byte(bomb.String())); err == nil || !strings.Contains(err.Error(), "bomb.yaml: YAML aliases expand the document past") {
		t.Errorf("Parse(alias bomb) = %v, want it refused", err)
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

// FuzzParse feeds arbitrary bytes to the config loader: it must return a config or an error,
// never panic, and a config it accepts must hold only rules that compile, targets of exactly
// one kind and schedules the service can parse.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"rules:\n  - id: acme-key\n    regex: 'acme_[a-z0-9]{32}'\n    keywords: [acme_]\n",
		"fingerprint_key_file: /tmp/k\nmax_blob_size: 10\n",
		"providers:\n  github: {base_url: https://api.github.com/}\n",
		"rules: [",
		"{a: b}",
		"serve: {listen: \":9847\", workers: 2, schedule: \"@hourly\", sweep: \"@every 6h\", shutdown_timeout: 30s}\n",
		"targets:\n  - path: /srv/repo\n  - path: {dir: /srv/b, schedule: \"*/5 * * * *\"}\n  - git: {url: \"git@github.com:a/b.git\"}\n",
		"targets:\n  - github: {org: contoso, include_forks: true}\n  - gitlab: {group: a/b}\n  - azuredevops: {org: contoso, token: x, projects: [app]}\n",
		"targets:\n  - github: {org: a}\n    git: {url: /x}\n  - {}\n  - path: [1]\n",
		"webhooks:\n  github: {secret: s}\n  gitlab: {token: t}\n  azuredevops: {username: u, password: p}\n",
		"store: {driver: sqlite, dsn: /tmp/p.db}\nnotify:\n  smtp: {host: h, from: a@contoso.com}\n",
		"targets: {github: {org: a}}\n",
		"serve: {shutdown_timeout: 5x}\ntargets:\n  - path: /a\n",
	} {
		f.Add([]byte(s))
	}
	if b, err := os.ReadFile("testdata/example.yaml"); err == nil {
		f.Add(b)
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
		for i, tg := range c.Targets {
			if tg.Kind() == "" {
				t.Errorf("accepted targets[%d] has no single kind: %+v", i, tg)
			}
			if _, err := cron.ParseStandard(tg.Schedule()); err != nil {
				t.Errorf("accepted targets[%d] schedule %q: %v", i, tg.Schedule(), err)
			}
		}
		if c.Serve.Workers < 1 {
			t.Errorf("accepted serve.workers %d", c.Serve.Workers)
		}
	})
}

// TestGeneric checks the generic key: off by default, the generic rules added to the built-in
// detectors when on, and their ids reserved either way.
func TestGeneric(t *testing.T) {
	t.Parallel()
	generic := map[string]bool{}
	for _, d := range detectors.Generic() {
		generic[d.ID] = true
	}
	if len(generic) == 0 {
		t.Fatal("detectors.Generic() is empty")
	}
	tests := []struct {
		name, src string
		want      int
	}{
		{"default", "max_blob_size: 1048576\n", 0},
		{"off", "generic: false\n", 0},
		{"on", "generic: true\n", len(generic)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Parse("patrol.yaml", []byte(tt.src))
			if err != nil {
				t.Fatalf("Parse = %v", err)
			}
			got := 0
			for _, d := range c.Detectors() {
				if generic[d.ID] {
					got++
				}
			}
			if got != tt.want {
				t.Errorf("Detectors() holds %d generic rules, want %d", got, tt.want)
			}
		})
	}
	for id := range generic {
		if got := Default().Describe(id); got == id {
			t.Errorf("Describe(%q) = the id, want the generic rule's description", id)
		}
		_, err := Parse("patrol.yaml", []byte("rules:\n  - {id: "+id+", regex: 'x[0-9]{9}', keywords: [xyz]}\n"))
		if err == nil || !strings.Contains(err.Error(), "built-in detector id") {
			t.Errorf("a custom rule with the generic id %s: err = %v, want it refused as a built-in id", id, err)
		}
	}
	if _, err := Parse("patrol.yaml", []byte("generic: maybe\n")); err == nil || !strings.Contains(err.Error(), "patrol.yaml:1") {
		t.Errorf("generic: maybe: err = %v, want an error at patrol.yaml:1", err)
	}
}
