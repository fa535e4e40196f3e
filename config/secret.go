package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/patrolsec/patrol/secret"
)

// Secret is a credential patrol itself uses (a listing token, a webhook secret or password),
// written in YAML as a plain string, usually "${VAR}", or read from the key's *_file twin.
// It is a [secret.Token], so it prints, logs and marshals as [REDACTED]; the client that
// sends it calls Reveal.
type Secret struct {
	secret.Token
}

// NewSecret wraps a value.
func NewSecret(value string) Secret { return Secret{secret.New(value)} }

// UnmarshalText implements encoding.TextUnmarshaler, for the YAML decoder.
func (s *Secret) UnmarshalText(b []byte) error {
	*s = NewSecret(string(b))
	return nil
}

// maxSecretFile bounds what a *_file key reads: a token, a password or a webhook secret is
// tens of bytes, and a larger file is a wrong path (a key ring, a log).
const maxSecretFile = 64 << 10

// secretRef is one secret of the config and its *_file twin.
type secretRef struct {
	key      string  // the section's key path: "targets[0].github"
	name     string  // "token", "secret", "password"
	value    *Secret // the value, filled from file by readSecretFiles
	file     string  // the *_file path, "" when not set
	required bool    // an empty value is a problem
	why      string  // why it is required, for the message
}

// secretRefs lists every secret of the targets and webhooks with its *_file twin.
func (c *Config) secretRefs() []secretRef {
	var refs []secretRef
	for i := range c.Targets {
		refs = append(refs, c.Targets[i].secretRefs(fmt.Sprintf("targets[%d]", i))...)
	}
	return append(refs, c.Webhooks.secretRefs()...)
}

// readSecretFiles reads every *_file key into its secret, after ${VAR} expansion of both.
// Setting both the value and its file is a problem: which one wins would be a guess.
func (c *Config) readSecretFiles() problems {
	var ps problems
	for _, r := range c.secretRefs() {
		if r.file == "" {
			continue
		}
		fileKey := r.key + "." + r.name + "_file"
		if !r.value.IsZero() {
			ps = append(ps, c.at(r.key, "%s and %s_file are both set; keep one", r.name, r.name))
			continue
		}
		v, err := readSecretFile(r.file)
		if err != nil {
			ps = append(ps, c.at(fileKey, "%v", err))
			continue
		}
		*r.value = NewSecret(v)
	}
	return ps
}

// secretProblems reports the required secrets that are empty.
func (c *Config) secretProblems() problems {
	var ps problems
	for _, r := range c.secretRefs() {
		if r.required && r.value.IsZero() && r.file == "" {
			ps = append(ps, c.at(r.key, "%s or %s_file is required (%s)", r.name, r.name, r.why))
		}
	}
	return ps
}

// readSecretFile reads a secret from a file (a Kubernetes or systemd credential, a Docker
// secret): its content without surrounding white space, which editors and `echo` add.
func readSecretFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	if len(b) > maxSecretFile {
		return "", fmt.Errorf("%s is larger than %d KiB, too large for a secret", path, maxSecretFile>>10)
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return "", errors.New(path + " is empty")
	}
	return v, nil
}
