// Package config loads patrol.yaml: strict YAML (an unknown key is an error with its line),
// ${VAR} expansion from the environment for string values, defaults in one place, and
// validation that joins every problem with the file, line and key path.
package config

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/patrolsec/patrol/detectors"
)

// Rule is a custom detector.
type Rule struct {
	ID          string   `yaml:"id"`
	Description string   `yaml:"description"`
	Regex       string   `yaml:"regex"`
	Keywords    []string `yaml:"keywords"`
	MinEntropy  float64  `yaml:"min_entropy"`
	Provider    string   `yaml:"provider"`
}

// Config is the whole of patrol.yaml. Sections other issues own are kept as raw YAML here and
// decoded by their owners, so that this package does not import them.
type Config struct {
	// FingerprintKeyFile is the HMAC key file for fingerprints (created on first use).
	FingerprintKeyFile string `yaml:"fingerprint_key_file"`
	// Rules are custom detectors.
	Rules []Rule `yaml:"rules"`
	// MaxBlobSize is the size limit for files and blobs, in bytes.
	MaxBlobSize int64 `yaml:"max_blob_size"`
	// Providers configures verification and revocation (see revoke/providers).
	Providers yaml.RawMessage `yaml:"providers"`
	// Store configures the state store.
	Store yaml.RawMessage `yaml:"store"`
	// Notify configures email and webhooks.
	Notify yaml.RawMessage `yaml:"notify"`

	path string
	src  []byte
}

// Path returns the file the config was loaded from ("" for defaults).
func (c *Config) Path() string { return c.path }

// Default returns the configuration used when no file is given.
func Default() *Config {
	return &Config{MaxBlobSize: 10 << 20}
}

// Load reads, expands and validates a config file.
func Load(path string) (*Config, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, src)
}

// Parse decodes and validates config source; path names it in errors.
func Parse(path string, src []byte) (*Config, error) {
	c := Default()
	src = quoteEnvRefs(src)
	c.path, c.src = path, src
	if len(strings.TrimSpace(string(src))) == 0 {
		return c, nil
	}
	if err := rejectTags(src); err != nil {
		return nil, fmt.Errorf("config %s", posError(path, err))
	}
	if err := strictUnmarshal(src, c); err != nil {
		return nil, fmt.Errorf("config %s", posError(path, err))
	}
	if err := c.expand(); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// unquotedEnvRef is a ${VAR} written as a bare scalar value, as in "password: ${SMTP_PASSWORD}"
// or inside a flow mapping "{token: ${TOKEN}, …}", where YAML would read "{" as syntax.
var unquotedEnvRef = regexp.MustCompile(`(?m)([:\[,{]\s*|^\s*-\s+)\$\{([A-Za-z_][A-Za-z0-9_]*)\}(\s*(?:[,}\]]|#|$))`)

// quoteEnvRefs quotes bare ${VAR} values so they parse as strings; they are expanded after
// decoding (ExpandEnv), so a value with YAML syntax in it (a password with "#" or ": ")
// cannot change the document's structure. Lines and columns stay put except past the quote.
func quoteEnvRefs(src []byte) []byte {
	return unquotedEnvRef.ReplaceAll(src, []byte(`${1}"$${${2}}"${3}`))
}

// rejectTags refuses YAML tags (!!binary, !custom …): patrol's config has no use for them, and
// the decoder drops or mishandles tagged keys silently.
func rejectTags(src []byte) error {
	f, err := parser.ParseBytes(src, 0)
	if err != nil {
		return err
	}
	var found ast.Node
	for _, doc := range f.Docs {
		if doc.Body != nil {
			ast.Walk(tagFinder{&found}, doc.Body)
		}
	}
	if found != nil {
		p := found.GetToken().Position
		return fmt.Errorf("[%d:%d] YAML tag %s is not supported", p.Line, p.Column, found.GetToken().Value)
	}
	return nil
}

type tagFinder struct{ found *ast.Node }

func (t tagFinder) Visit(n ast.Node) ast.Visitor {
	if n != nil && n.Type() == ast.TagType && *t.found == nil {
		*t.found = n
	}
	return t
}

// strictUnmarshal decodes YAML strictly. The decoder panics on some malformed input (a tag on
// an empty sequence, found by FuzzParse); that becomes an error, never a crash.
func strictUnmarshal(src []byte, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed YAML the parser cannot read (%v)", r)
		}
	}()
	return yaml.UnmarshalWithOptions(src, v, yaml.Strict())
}

var yamlPos = regexp.MustCompile(`^\[(\d+):(\d+)\] `)

// posError renders a YAML error as "file:line:col: message".
func posError(path string, err error) string {
	msg := oneLine(yaml.FormatError(err, false, false))
	if m := yamlPos.FindStringSubmatch(msg); m != nil {
		return path + ":" + m[1] + ":" + m[2] + ": " + msg[len(m[0]):]
	}
	return path + ": " + msg
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// line returns the line of the node at a YAML path like "$.rules[0].regex", or 0.
func (c *Config) line(path string) int {
	p, err := yaml.PathString(path)
	if err != nil {
		return 0
	}
	f, err := parser.ParseBytes(c.src, 0)
	if err != nil {
		return 0
	}
	n, err := p.FilterFile(f)
	if err != nil || n == nil {
		return 0
	}
	return n.GetToken().Position.Line
}

// errAt formats a problem at a YAML path.
func (c *Config) errAt(path, format string, args ...any) error {
	key := strings.TrimPrefix(path, "$.")
	if l := c.line(path); l > 0 {
		return fmt.Errorf("config %s:%d: %s: %s", c.path, l, key, fmt.Sprintf(format, args...))
	}
	return fmt.Errorf("config %s: %s: %s", c.path, key, fmt.Sprintf(format, args...))
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// ExpandEnv replaces ${VAR} in s from the environment; a referenced but unset variable is an
// error naming it.
func ExpandEnv(s string) (string, error) {
	var missing []string
	out := envRef.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-1]
		v, ok := os.LookupEnv(name)
		if !ok {
			missing = append(missing, name)
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("environment variable %s is not set", strings.Join(missing, ", "))
	}
	return out, nil
}

// expand applies ExpandEnv to every string field of the typed sections (the raw sections are
// expanded when their owners decode them, DecodeSection).
func (c *Config) expand() error {
	return c.expandValue(reflect.ValueOf(c).Elem(), "$")
}

// expandValue applies ExpandEnv to every settable string reachable from v, naming each
// problem by its YAML key path (for the line number). Raw YAML ([]byte) is left alone.
func (c *Config) expandValue(v reflect.Value, root string) error {
	var errs []error
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem(), path)
			}
		case reflect.String:
			if v.CanSet() {
				if s, err := ExpandEnv(v.String()); err != nil {
					errs = append(errs, c.errAt(path, "%v", err))
				} else {
					v.SetString(s)
				}
			}
		case reflect.Struct:
			t := v.Type()
			for i := range t.NumField() {
				f := t.Field(i)
				if !f.IsExported() {
					continue
				}
				p := path
				if tag := strings.Split(f.Tag.Get("yaml"), ",")[0]; tag != "" {
					p = path + "." + tag
				}
				walk(v.Field(i), p)
			}
		case reflect.Slice, reflect.Array:
			if v.Type().Elem().Kind() == reflect.Uint8 {
				return
			}
			for i := range v.Len() {
				walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
			}
		case reflect.Map:
			for _, k := range v.MapKeys() {
				e := reflect.New(v.Type().Elem()).Elem()
				e.Set(v.MapIndex(k))
				walk(e, fmt.Sprintf("%s.%v", path, k))
				v.SetMapIndex(k, e)
			}
		}
	}
	walk(v, root)
	return errors.Join(errs...)
}

var ruleID = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// Validate checks every value and joins all problems.
func (c *Config) Validate() error {
	var errs []error
	builtin := map[string]bool{}
	for _, d := range detectors.All() {
		builtin[d.ID] = true
	}
	seen := map[string]bool{}
	for i, r := range c.Rules {
		p := fmt.Sprintf("$.rules[%d]", i)
		switch {
		case r.ID == "":
			errs = append(errs, c.errAt(p, "id is required"))
		case !ruleID.MatchString(r.ID):
			errs = append(errs, c.errAt(p+".id", "%q is not kebab-case (a-z, 0-9, -)", r.ID))
		case builtin[r.ID]:
			errs = append(errs, c.errAt(p+".id", "%q is a built-in detector id", r.ID))
		case seen[r.ID]:
			errs = append(errs, c.errAt(p+".id", "%q is defined twice", r.ID))
		}
		seen[r.ID] = true
		if r.Regex == "" {
			errs = append(errs, c.errAt(p, "regex is required"))
		} else if re, err := regexp.Compile(r.Regex); err != nil {
			errs = append(errs, c.errAt(p+".regex", "%v", err))
		} else if re.MatchString("") {
			errs = append(errs, c.errAt(p+".regex", "matches the empty string"))
		}
		if len(r.Keywords) == 0 {
			errs = append(errs, c.errAt(p, "keywords: at least one literal keyword is required (the prefilter runs the regex only near one)"))
		}
		for j, k := range r.Keywords {
			if len(strings.TrimSpace(k)) < 3 {
				errs = append(errs, c.errAt(fmt.Sprintf("%s.keywords[%d]", p, j), "%q is shorter than 3 characters", k))
			}
		}
		if r.MinEntropy < 0 || r.MinEntropy > 8 {
			errs = append(errs, c.errAt(p+".min_entropy", "%v is outside 0..8 bits per byte", r.MinEntropy))
		}
	}
	if c.MaxBlobSize < 0 {
		errs = append(errs, c.errAt("$.max_blob_size", "%d is negative", c.MaxBlobSize))
	}
	return errors.Join(errs...)
}

// Detectors returns the built-in detectors followed by the custom rules.
func (c *Config) Detectors() []*detectors.Detector {
	ds := detectors.All()
	for _, r := range c.Rules {
		kws := make([]string, len(r.Keywords))
		for i, k := range r.Keywords {
			kws[i] = strings.ToLower(k)
		}
		ds = append(ds, &detectors.Detector{
			ID:          r.ID,
			Provider:    r.Provider,
			Description: r.Description,
			Keywords:    kws,
			Pattern:     r.Regex,
			MinEntropy:  r.MinEntropy,
		})
	}
	return ds
}

// decodeNode decodes the top-level key name of the file strictly into v, so that errors carry
// the line and column in the file.
func (c *Config) decodeNode(name string, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed YAML the parser cannot read (%v)", r)
		}
	}()
	p, err := yaml.PathString("$." + name)
	if err != nil {
		return err
	}
	f, err := parser.ParseBytes(c.src, 0)
	if err != nil {
		return err
	}
	n, err := p.FilterFile(f)
	if err != nil {
		return err
	}
	return yaml.NodeToValue(n, v, yaml.Strict())
}

// DecodeSection decodes a raw section (providers, store, notify) strictly into v, expands
// ${VAR} in its string fields, and reports errors with the file and key.
func (c *Config) DecodeSection(name string, raw yaml.RawMessage, v any) error {
	if len(raw) == 0 {
		return nil
	}
	if err := c.decodeNode(name, v); err != nil {
		return fmt.Errorf("config %s", posError(c.path, err))
	}
	return c.expandValue(reflect.ValueOf(v), "$."+name)
}
