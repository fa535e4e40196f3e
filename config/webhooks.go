package config

// Webhooks is the webhooks section: the credentials push deliveries to `patrol serve` must
// carry. A source without a section is not listened for; a section without its secret is an
// error, because an endpoint that accepts unsigned deliveries lets anyone trigger scans.
type Webhooks struct {
	// GitHub authenticates POST /webhooks/github (X-Hub-Signature-256).
	GitHub *GitHubWebhook `yaml:"github"`
	// GitLab authenticates POST /webhooks/gitlab (X-Gitlab-Token).
	GitLab *GitLabWebhook `yaml:"gitlab"`
	// AzureDevOps authenticates POST /webhooks/azuredevops (Basic auth of the service hook).
	AzureDevOps *AzureDevOpsWebhook `yaml:"azuredevops"`
}

// GitHubWebhook is `webhooks.github: {secret | secret_file}`.
type GitHubWebhook struct {
	// Secret is the webhook's secret, the HMAC-SHA256 key of X-Hub-Signature-256; required.
	// Load fills it from SecretFile when that is set.
	Secret Secret `yaml:"secret"`
	// SecretFile is a file holding Secret; set exactly one of the two.
	SecretFile string `yaml:"secret_file"`
}

// GitLabWebhook is `webhooks.gitlab: {token | token_file}`.
type GitLabWebhook struct {
	// Token is the webhook's secret token, compared with X-Gitlab-Token; required. Load fills
	// it from TokenFile when that is set.
	Token Secret `yaml:"token"`
	// TokenFile is a file holding Token; set exactly one of the two.
	TokenFile string `yaml:"token_file"`
}

// AzureDevOpsWebhook is `webhooks.azuredevops: {username, password | password_file}`: the
// Basic authentication the service hook subscription sends (service hooks are not signed).
type AzureDevOpsWebhook struct {
	// Username is the Basic auth user name; required.
	Username string `yaml:"username"`
	// Password is the Basic auth password; required. Load fills it from PasswordFile when
	// that is set.
	Password Secret `yaml:"password"`
	// PasswordFile is a file holding Password; set exactly one of the two.
	PasswordFile string `yaml:"password_file"`
}

// secretRefs lists the webhook secrets and their *_file twins.
func (w *Webhooks) secretRefs() []secretRef {
	var refs []secretRef
	if g := w.GitHub; g != nil {
		refs = append(refs, secretRef{key: "webhooks.github", name: "secret", value: &g.Secret, file: g.SecretFile,
			required: true, why: "GitHub signs deliveries with it; unsigned deliveries are refused"})
	}
	if g := w.GitLab; g != nil {
		refs = append(refs, secretRef{key: "webhooks.gitlab", name: "token", value: &g.Token, file: g.TokenFile,
			required: true, why: "GitLab sends it in X-Gitlab-Token; deliveries without it are refused"})
	}
	if a := w.AzureDevOps; a != nil {
		refs = append(refs, secretRef{key: "webhooks.azuredevops", name: "password", value: &a.Password, file: a.PasswordFile,
			required: true, why: "service hooks are not signed; Basic auth is what tells them apart"})
	}
	return refs
}

// webhookProblems validates the webhooks section but its secrets (secretProblems). A source
// written without a value ("github:") is refused rather than read as "not listened for": it
// was meant to be configured.
func (c *Config) webhookProblems() problems {
	var ps problems
	w := c.Webhooks
	for _, src := range []struct {
		name, want string
		set        bool
	}{
		{"github", "{secret: …}", w.GitHub != nil},
		{"gitlab", "{token: …}", w.GitLab != nil},
		{"azuredevops", "{username: …, password: …}", w.AzureDevOps != nil},
	} {
		if !src.set && c.exactLine("webhooks."+src.name) > 0 {
			ps = append(ps, c.at("webhooks."+src.name, "empty: write %s, or leave the key out to not listen for %s", src.want, src.name))
		}
	}
	if a := w.AzureDevOps; a != nil && a.Username == "" {
		ps = append(ps, c.at("webhooks.azuredevops", "username is required (the Basic auth user name of the service hook)"))
	}
	return ps
}
