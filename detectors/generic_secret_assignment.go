package detectors

import (
	"math"
	"regexp"
	"strings"
)

func init() { register(GenericSecretAssignment) }

// GenericSecretAssignment finds a value assigned to a credential-like name (password,
// passwd, pwd, passphrase, secret, token, api_key, access_key, private_key, credential, at
// the end of the name or followed only by a suffix that still names the secret: DB_PASSWORD,
// clientSecret, X-Api-Key, githubToken2, API_KEY_PROD; not tokenizer, secretary, token_type,
// password_file or secretName), in the forms people write: .env and shell (NAME=v, export
// NAME="v"), YAML (name: v), JSON ("name": "v"), INI/TOML (name = v), XML (<name>v</name>,
// name="v", <add key="Name" value="v"/>), connection strings (Password=v;), code (Go :=,
// Python, JavaScript/TypeScript, C#, Java, PowerShell $name = "v", Ruby and PHP =>), and
// command-line flags (--password v, --api-key=v, -Token v).
//
// Nothing in the value's format says it is a credential, so it is held to gates instead
// (genericValue): 8 to 200 bytes, letters and digits both, entropy growing with length up to
// 3.5 bits per byte, and a stop-list of what code and configuration assign to such names
// without a secret: placeholders (changeme, your-…, xxx, ${VAR}, {{ }}, <…>, %(…)s), reads of
// the environment or of other fields (os.Getenv(…), process.env.X, config.api_key), env var
// names, file paths, URLs, version numbers and documentation words. The rule is off by
// default (Generic: patrol scan --generic, `generic: true` in patrol.yaml), and a format
// detector that claims the same span outranks it (Rank).
//
// References: https://cwe.mitre.org/data/definitions/798.html
func GenericSecretAssignment() *Detector {
	return &Detector{
		ID:          "generic-secret-assignment",
		Description: "Credential-like name assigned a high-entropy value (generic rule)",
		// The names themselves: "token" and "secret" are common words, refused for the
		// default detectors (TestRegistry's commonWords), and accepted here because the rule
		// is opt-in and its whole point is the name; BenchmarkGeneric measures the cost.
		Keywords: []string{"passw", "pwd", "passphrase", "secret", "token", "api_key", "api-key", "api.key",
			"apikey", "access_key", "access-key", "accesskey", "private_key", "private-key", "privatekey", "credential"},
		Pattern:    genericPattern,
		Before:     40, // "--", "key=" and an identifier before the credential word
		After:      240,
		Validate:   validGenericValue,
		Generic:    true,
		RotateURL:  "https://owasp.org/www-community/vulnerabilities/Use_of_hard-coded_password",
		MinEntropy: 0, // length-dependent: see genericValue
	}
}

// genericWords are the credential words a name ends in (before its suffixes), and
// genericSuffixes the parts that may follow one and still name the secret (API_KEY_PROD,
// secretKey, password2; not token_type, password_file, secretName).
var (
	genericWords = []string{"password", "passwd", "pwd", "passphrase", "secret", "token", "credential",
		"api_key", "access_key", "private_key"}
	genericSuffixes = []string{"key", "value", "secret", "token", "pass", "pwd", "base", "prod", "live",
		"dev", "b64", "base64", "hex", "str", "raw", "access", "auth", "data", "s"}
)

// anyCase spells an ASCII word as character classes ([Tt][Oo]…), an '_' as an optional
// separator: what (?i) does, without the case folding that makes RE2 five times slower here.
func anyCase(word string) string {
	var b strings.Builder
	for _, c := range word {
		switch {
		case c == '_':
			b.WriteString(`[_.-]?`)
		case c >= 'a' && c <= 'z':
			b.WriteString("[" + string(c-'a'+'A') + string(c) + "]")
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// genericName is the RE2 of the end of a credential-like identifier: a credential word, then
// at most three suffixes, in any case. The pattern starts at the word, not at the start of
// the identifier, so that the scanner's regex dies on the first byte almost everywhere: a
// word at the end of a longer name ("githubtoken", "dbPassword") counts, and one followed by
// other letters ("tokenizer", "secretary") does not, because the assignment must follow.
var genericName = func() string {
	alt := func(ws []string) string {
		var xs []string
		for _, w := range ws {
			xs = append(xs, anyCase(w))
		}
		return "(?:" + strings.Join(xs, "|") + ")"
	}
	return alt(genericWords) + `(?:[0-9]|[_.-]?` + alt(genericSuffixes) + `)*`
}()

// genericPattern is the generic rule's RE2. The value is submatch 1: an optional opening
// quote, then at least 8 bytes (genericValue drops those over 200) that are neither space, quote, nor a byte that starts markup,
// a call, a template or a second assignment; it ends at a quote, space, separator, '@'
// (user:pass@host), a closing tag or the end of the text (not at a '<': <10> is a template).
var genericPattern = func() string {
	name := genericName
	ident := `[A-Za-z0-9_.-]*?`
	first := `[^\s"'\x60:=<>(){}\[\],;&|\\@$#%*-]`
	rest := `[^\s"'\x60:=<>(){}\[\],;&|\\@$*]` // '*': 2*n is arithmetic
	// A quote or a space ends a value unless a ':' or '=' follows: then the "value" was a
	// name ("key": …, name = …), and the next assignment is the one to report.
	notName := `[ \t]*(?:[^ \t:=]|$)`
	value := `(` + first + rest + `{6,}` + `={0,2})` + `(?:["'\x60\s]` + notName + `|</|[,;&)}\]|\\@]|$)`
	open := `(?:\\?["'\x60])?`
	attrs := `(?:[ \t]+[A-Za-z_:][A-Za-z0-9_:.-]*=(?:"[^"<>]*"|'[^'<>]*'))*`
	// The name is written twice: RE2 picks its backtracker, several times faster than its
	// NFA, only for programs under 500 instructions.
	assign := `(?:` +
		// --password v, --api-key=v, -Password v (a flag starts after a space, '=', ':', ',',
		// a quote or a bracket);
		// <add key="Name" value="v"/> (.NET appSettings; not <input name="csrf_token" value=…>)
		`(?:(?:^|[\s="'\x60(:,\[])--?|` + anyCase("key") + `[ \t]*=[ \t]*["'])` + ident + name +
		`(?:[ \t]+|=|["'][ \t]+` + anyCase("value") + `[ \t]*=[ \t]*)` + open +
		// <password>v</password>, <Secret type="plain">v</Secret>; NAME=v, name: v,
		// "name": "v", name := "v", $name = 'v', :name => "v", name ?= v
		`|` + name + `(?:` + attrs + `>|\\?["']?[ \t]*(?::=|=>|::?=|\?=|[:=])[ \t]*` + open + `)` +
		`)`
	return assign + value
}()

// Regular expressions of values that are not secrets although a credential-like name holds
// them.
var (
	genericDotted  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$`)
	genericEnvName = regexp.MustCompile(`^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$`)
	genericSnake   = regexp.MustCompile(`^[a-z][a-z0-9]*(?:[_.-][a-z][a-z0-9]*)+$`)
	genericVersion = regexp.MustCompile(`^v?[0-9]+(?:\.[0-9]+)+`)
	genericWordNum = regexp.MustCompile(`^[A-Za-z][a-z]+[0-9]{1,4}$`)
	genericURL     = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)
	genericPath    = regexp.MustCompile(`^(?:~?/|\.\.?/|[A-Za-z]:\\)|^[A-Za-z0-9_./-]*/[A-Za-z0-9_.-]+\.[A-Za-z]{1,5}$|\.(?:pem|key|crt|cer|json|ya?ml|txt|env|p12|pfx|jks|ini|conf|cfg|toml|properties|xml)$`)
)

// genericStopWords are words whose presence marks a value as a stand-in, a name or prose,
// checked case-insensitively. They are too short or too common for IsPlaceholder, which
// every detector applies to every candidate; the generic rule alone can afford them.
var genericStopWords = []string{
	"password", "passwd", "secret", "token", "example", "sample", "changeme", "change_me",
	"change-me", "dummy", "placeholder", "your", "xxx", "test", "fake", "mock", "demo",
	"default", "replace", "todo", "fixme", "foobar", "qwerty", "letmein", "admin", "redacted",
	"hidden", "invalid", "notreal", "insert", "enter", "abcdef", "123456", "sha256", "sha512",
	"sha1-", "md5", "bearer", "basic", "getenv", "environ", "process.env", "secrets.",
	"vault:", "arn:", "ref+", "env.", "config.", "settings.",
}

// validGenericValue applies the generic rule's value gates (genericValue) and reports
// ConfidenceGeneric.
func validGenericValue(tok []byte) (Confidence, bool) {
	if !genericValue(tok) {
		return "", false
	}
	return ConfidenceGeneric, true
}

// genericValue reports whether a value assigned to a credential-like name looks like a
// secret rather than a placeholder, a reference, a name or a path.
func genericValue(tok []byte) bool {
	if len(tok) < 8 || len(tok) > 200 || IsPlaceholder(tok) {
		return false
	}
	var letters, digitsN int
	for _, c := range tok {
		switch {
		case c >= '0' && c <= '9':
			digitsN++
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			letters++
		case c == '%':
			return false // %s, %(name)s, %APPDATA%, URL encoding of a reference
		}
	}
	if letters == 0 || digitsN == 0 {
		return false
	}
	if Entropy(tok) < genericMinEntropy(len(tok)) || mostlySequential(tok) {
		return false
	}
	s := string(tok)
	lower := strings.ToLower(s)
	for _, w := range genericStopWords {
		if strings.Contains(lower, w) {
			return false
		}
	}
	if genericURL.MatchString(s) || genericPath.MatchString(s) || genericVersion.MatchString(s) ||
		genericEnvName.MatchString(s) || genericSnake.MatchString(s) || genericWordNum.MatchString(s) {
		return false
	}
	if genericDotted.MatchString(s) && !hasLongPart(s, '.', 20) {
		return false // config.apiKey, self.token2; not a JWT's three base64 parts
	}
	return true
}

// genericMinEntropy is the entropy, in bits per byte, a value of n bytes must reach: 80% of
// the most n bytes can have (log2 n), at most 3.5. A fixed 3.5 would drop every value under
// 12 bytes (8 distinct bytes carry 3 bits each) and many random ones under 20.
func genericMinEntropy(n int) float64 {
	return min(3.5, 0.8*math.Log2(float64(n)))
}

// hasLongPart reports whether s has a sep-separated part of at least n bytes.
func hasLongPart(s string, sep byte, n int) bool {
	for p := range strings.SplitSeq(s, string(sep)) {
		if len(p) >= n {
			return true
		}
	}
	return false
}
