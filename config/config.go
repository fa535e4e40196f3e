package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/patrolsec/patrol/notify"
	"github.com/patrolsec/patrol/revoke/providers"
	"github.com/patrolsec/patrol/store"
)

// Config is the whole of patrol.yaml, every section typed. Build one with [Load] or [Parse]
// (decoded, ${VAR}-expanded, defaulted and validated) or [Default] (no file).
type Config struct {
	// FingerprintKeyFile is the HMAC key file for fingerprints (created on first use); empty
	// means secret.DefaultKeyPath. PATROL_FINGERPRINT_KEY and PATROL_FINGERPRINT_KEY_FILE
	// take precedence over it (secret.ResolveKey).
	FingerprintKeyFile string `yaml:"fingerprint_key_file"`
	// Rules are custom detectors, run after the built-in ones (see [Config.Detectors]).
	Rules []Rule `yaml:"rules"`
	// Generic turns on the generic rules (detectors.Generic: a credential-like name assigned a
	// high-entropy value, reported as confidence generic) for every command that reads this
	// config: patrol scan (as --generic does), patrol hook and patrol serve. Off by default:
	// the generic rules are noisier than the format detectors.
	Generic bool `yaml:"generic"`
	// MaxBlobSize is the size limit for files and blobs, in bytes (default 10 MiB); larger
	// ones are skipped and counted in the scan summary.
	MaxBlobSize int64 `yaml:"max_blob_size"`
	// MaxArchiveDepth is how many levels of archives (zip, gzip, tar) scans look inside
	// (default 2); 0 turns archives off.
	MaxArchiveDepth int `yaml:"max_archive_depth"`
	// MaxDecodeDepth is how many levels of nested encoding (base64 in base64, URL encoding in
	// base64) the scanner decodes; zero means the scanner's default (3).
	MaxDecodeDepth int `yaml:"max_decode_depth"`
	// Store locates the state store; the zero value is an SQLite file at store.DefaultPath.
	Store store.Config `yaml:"store"`
	// Providers configures verification and revocation per provider.
	Providers providers.Config `yaml:"providers"`
	// Notify configures email and the team's chat webhook; the zero value sends nothing.
	Notify notify.Config `yaml:"notify"`
	// Serve configures `patrol serve`: listen address, clone cache, workers, schedules.
	Serve Serve `yaml:"serve"`
	// Targets are what `patrol serve` watches: organizations, groups, repositories, paths.
	Targets []Target `yaml:"targets"`
	// Webhooks authenticates push deliveries to `patrol serve`; a source without a section
	// is not listened for.
	Webhooks Webhooks `yaml:"webhooks"`

	path string    // the file, for errors
	src  []byte    // its text after quoteEnvRefs, for line numbers
	file *ast.File // src parsed, for line numbers
}

// DefaultMaxBlobSize is the size limit for files and blobs when max_blob_size is not set.
const DefaultMaxBlobSize = 10 << 20

// DefaultMaxArchiveDepth is the archive nesting scans look inside when max_archive_depth is not
// set.
const DefaultMaxArchiveDepth = 2

// Path returns the file the config was loaded from ("" for defaults).
func (c *Config) Path() string { return c.path }

// Default returns the configuration used when no file is given: every default of every
// section, in this one place. Serve is [DefaultServe], which listens on loopback only; a
// config file that does not set serve.listen listens on [ListenAddr] instead (a file is a
// deployment, and Prometheus and webhook senders must reach it).
func Default() *Config {
	return &Config{
		MaxBlobSize:     DefaultMaxBlobSize,
		MaxArchiveDepth: DefaultMaxArchiveDepth,
		Serve:           DefaultServe(),
	}
}

// DefaultServe returns the serve settings of a run without a config file: listen on
// 127.0.0.1:9847 ([LocalListenAddr]), so that a newcomer's `patrol serve` exposes nothing to
// the network, with the clone cache in the user's cache directory.
func DefaultServe() Serve {
	s := Serve{
		Listen:          LocalListenAddr,
		Workers:         DefaultWorkers,
		Schedule:        DefaultSchedule,
		Sweep:           DefaultSweep,
		ShutdownTimeout: DefaultShutdownTimeout,
		ScanTimeout:     DefaultScanTimeout,
	}
	// Without a cache directory ($HOME and $XDG_CACHE_HOME unset) clone_dir stays empty, and
	// Validate asks for it as soon as a target needs a clone.
	if dir, err := os.UserCacheDir(); err == nil {
		s.CloneDir = filepath.Join(dir, "patrol", "repos")
	}
	return s
}

// Load reads, expands, defaults and validates a config file.
func Load(path string) (*Config, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, src)
}

// Parse decodes, expands, defaults and validates config source; path names it in errors.
// The error joins every problem found, each naming the file, line and key path.
func Parse(path string, src []byte) (*Config, error) {
	src = quoteEnvRefs(src)
	c := fileDefault(path, src)
	if strings.TrimSpace(string(src)) != "" {
		f, err := parseYAML(src)
		if err != nil {
			return nil, fmt.Errorf("config %s", posError(path, err))
		}
		if err := vetAST(f); err != nil {
			return nil, fmt.Errorf("config %s", posError(path, err))
		}
		if len(f.Docs) > 1 {
			return nil, fmt.Errorf("config %s: %d YAML documents, want one", path, len(f.Docs))
		}
		// A file of comments, "---" or null is empty: the decoder would zero c.
		if len(f.Docs) == 1 && f.Docs[0].Body != nil && f.Docs[0].Body.Type() != ast.NullType {
			c.file = f
		}
	}
	var ps problems
	var failed []string
	if c.file != nil {
		if err := decodeNode(c.file.Docs[0].Body, c); err != nil {
			// The decoder stops at its first problem; decode again section by section (each
			// target on its own) so that one run reports every section's problems.
			f := c.file
			c = fileDefault(path, src)
			c.file = f
			ps, failed = c.decodeSections()
		}
	}
	// A section that did not decode is left out of what follows: its half-decoded values
	// would only add noise to the problem already reported.
	var later problems
	later = append(later, c.expand()...)
	c.inheritSchedules()
	later = append(later, c.readSecretFiles()...)
	later = append(later, c.problems()...)
	if err := append(ps, later.without(failed)...).err(); err != nil {
		return nil, err
	}
	return c, nil
}

// fileDefault is Default for a config file: the same, but listening on every interface.
func fileDefault(path string, src []byte) *Config {
	c := Default()
	c.Serve.Listen = ListenAddr
	c.path, c.src = path, src
	return c
}

// Validate checks every value of every section and joins all problems, each naming the
// file, line and key path. Load and Parse call it; call it again after changing a Config.
func (c *Config) Validate() error {
	return c.problems().err()
}

// problems is every validation problem of c, section by section.
func (c *Config) problems() problems {
	var ps problems
	ps = append(ps, c.ruleProblems()...)
	if c.MaxBlobSize < 0 {
		ps = append(ps, c.at("max_blob_size", "%d is negative", c.MaxBlobSize))
	}
	if c.MaxArchiveDepth < 0 {
		ps = append(ps, c.at("max_archive_depth", "%d is negative", c.MaxArchiveDepth))
	}
	if c.MaxDecodeDepth < 0 {
		ps = append(ps, c.at("max_decode_depth", "%d is negative", c.MaxDecodeDepth))
	}
	ps = append(ps, c.sectionProblems(c.Store.Validate())...)
	ps = append(ps, c.sectionProblems(c.Providers.Validate())...)
	ps = append(ps, c.sectionProblems(c.Notify.Validate())...)
	ps = append(ps, c.serveProblems()...)
	ps = append(ps, c.targetProblems()...)
	ps = append(ps, c.webhookProblems()...)
	ps = append(ps, c.secretProblems()...)
	return ps
}

// sectionProblems turns the joined errors of a section's own Validate ("notify.smtp.host:
// required") into problems at the line of their key path.
func (c *Config) sectionProblems(err error) problems {
	if err == nil {
		return nil
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	var ps problems
	for _, e := range errs {
		key, msg, ok := strings.Cut(e.Error(), ": ")
		if !ok || strings.ContainsAny(key, " \t\"") {
			ps = append(ps, problem{msg: e.Error()})
			continue
		}
		ps = append(ps, c.at(key, "%s", msg))
	}
	return ps
}
