package detectors

import (
	"bytes"
	"net/url"
	"strings"
)

// Credentials in URLs and connection strings (database-url-password, amqp-url-password,
// ftp-url-password, http-basic-auth-url) share one idea: the token is the password only, and
// whether it is a secret depends on what surrounds it, so each of them checks the whole match
// (ValidateMatch) with net/url where the text is a URL.
//
// What is not reported, and why (documentation and local development, not leaks):
//   - a password that is a placeholder (IsPlaceholder: <...>, ${VAR}, {{ }}, xxxxxx, ******),
//     a format verb or variable reference (%s, %(pw)s, $PW, $(PW)), or a well-known default
//     (password, secret, guest, postgres, root, admin, ... with or without trailing digits),
//     or the user name again (guest:guest);
//   - a password shorter than minURLPassword bytes once URL-decoded;
//   - a URL whose host is reserved for documentation or is this machine (RFC 2606 and RFC 6761
//     names: example.com/.net/.org, *.example, *.invalid, *.test, *.localhost, localhost;
//     loopback, unspecified and RFC 5737/3849 documentation addresses), or a template
//     stand-in such as "host" or "hostname".
//
// URL-encoded passwords are decoded for these checks; the reported span stays the raw text.

// urlPassChars is what a password may hold in a URL or a key=value connection string: no
// space, quote, bracket, separator of the surrounding syntax (; & @ / ? #) or backslash (a
// JSON escape). A password with one of these raw is not found: the price of a pattern that
// never runs past the end of the value. The repeats are unbounded because counted ones
// make RE2 several times slower in every window; the window bounds the match, and
// maxURLPassword the password.
const urlPassChars = "[^\\s\"'`<>;&@/?#\\\\]+"

// maxURLPassword is the longest password reported (longer runs are data, not a password).
const maxURLPassword = 256

// urlUserChars is the user part of a URL's userinfo (which may be empty: redis://:pw@host).
const urlUserChars = "[^\\s\"'`<>:;&@/?#\\\\]*"

// urlHostChars is the host[:port] after the "@" of a URL (several, comma-separated, for
// MongoDB and Redis clusters).
const urlHostChars = "[^\\s\"'`<>;@/?#\\\\]+"

// minURLPassword is the shortest password reported: shorter ones are defaults and samples.
const minURLPassword = 6

// defaultPasswords are well-known defaults and documentation values (lower case, digits
// stripped), which are reported by no URL detector.
var defaultPasswords = map[string]bool{
	"password": true, "passwd": true, "pass": true, "pwd": true, "secret": true, "root": true,
	"admin": true, "administrator": true, "postgres": true, "postgresql": true, "mysql": true,
	"mariadb": true, "mongo": true, "mongodb": true, "redis": true, "guest": true, "test": true,
	"testing": true, "tester": true, "user": true, "username": true, "mypassword": true,
	"yourpassword": true, "mysecretpassword": true, "secretpassword": true, "supersecret": true,
	"topsecret": true, "letmein": true, "foobar": true, "anonymous": true, "default": true,
	"rabbitmq": true, "pa$$word": true, "p@ssword": true, "p@ssw0rd": true, "passw0rd": true,
	"qwerty": true, "welcome": true, "hunter": true, "sa": true, "dbpass": true, "dbpassword": true,
	"s3cr3t": true, "pasword": true, "mysecret": true, "yoursecret": true, "development": true,
	"local": true, "localhost": true, "docker": true, "demo": true, "ftp": true, "ftpuser": true,
}

// isDefaultPassword reports whether pw is a well-known default or documentation value, or
// the user name again.
func isDefaultPassword(user, pw string) bool {
	lower := strings.Trim(strings.ToLower(pw), ":.-_ ") // postgresql://foo::password@…
	if user != "" && strings.EqualFold(user, pw) {
		return true
	}
	return defaultPasswords[strings.TrimRight(lower, "0123456789!")] ||
		defaultPasswords[strings.TrimLeft(lower, "0123456789")]
}

// isVariableRef reports whether pw is a format verb or a variable reference rather than a
// value: %s, %v, %(password)s, $PASSWORD, $(PW), @PASSWORD@, ENV[...].
func isVariableRef(pw string) bool {
	if strings.HasPrefix(pw, "$") || strings.HasPrefix(pw, "%(") || strings.HasPrefix(pw, "@") {
		return true
	}
	for i := 0; i+1 < len(pw); i++ {
		if pw[i] == '%' && strings.IndexByte("sdvqx", pw[i+1]) >= 0 && (i+2 == len(pw) || !isHex(pw[i+1]) || !isHex(pw[i+2])) {
			return true
		}
	}
	return false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// passwordOK applies the shared password rules to a decoded password (see the comment at the
// top of this file).
func passwordOK(user, pw string, minLen int, minEntropy float64) bool {
	return len(pw) >= minLen && len(pw) <= maxURLPassword &&
		!IsPlaceholder([]byte(pw)) &&
		!isVariableRef(pw) &&
		!isDefaultPassword(user, pw) &&
		Entropy([]byte(pw)) >= minEntropy
}

// hostOK reports whether host (no port) may be a real server: not reserved for documentation,
// not this machine, not a template word.
func hostOK(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if h == "" || IsPlaceholder([]byte(h)) {
		return false
	}
	switch h {
	case "localhost", "host", "hostname", "server", "servername", "domain", "yourdomain",
		"your-domain", "mydomain", "db", "database", "dbhost", "ip", "address", "::1", "0.0.0.0",
		"::", ".", "(local)", "(localdb)", "myserver", "myhost", "your-host", "your_host":
		return false
	}
	for _, p := range []string{"127.", "(localdb)", "192.0.2.", "198.51.100.", "203.0.113.", "2001:db8:"} {
		if strings.HasPrefix(h, p) {
			return false // loopback, SQL Server LocalDB, RFC 5737 and RFC 3849 documentation addresses
		}
	}
	for _, reserved := range []string{"example.com", "example.net", "example.org"} {
		if h == reserved || strings.HasSuffix(h, "."+reserved) {
			return false
		}
	}
	for _, tld := range []string{".example", ".invalid", ".test", ".localhost", ".local"} {
		if strings.HasSuffix(h, tld) || h == tld[1:] {
			return false
		}
	}
	return true
}

// urlUserinfo parses a URL's scheme://user:password@host… with net/url and returns the user,
// the decoded password and the host names (comma-separated hosts of a cluster URL split).
// When net/url rejects the text (raw bytes it does not allow in userinfo), the parts are split
// by hand and the password decoded as far as it decodes.
func urlUserinfo(rawURL string) (user, pw string, hosts []string, ok bool) {
	if u, err := url.Parse(rawURL); err == nil && u.User != nil {
		pw, set := u.User.Password()
		if !set {
			return "", "", nil, false
		}
		return u.User.Username(), pw, splitHosts(u.Host), true
	}
	_, rest, found := strings.Cut(rawURL, "://")
	if !found {
		return "", "", nil, false
	}
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return "", "", nil, false
	}
	user, pw, found = strings.Cut(rest[:at], ":")
	if !found {
		return "", "", nil, false
	}
	if d, err := url.PathUnescape(pw); err == nil {
		pw = d
	}
	host, _, _ := strings.Cut(rest[at+1:], "/")
	return user, pw, splitHosts(host), true
}

// splitHosts splits a host list ("a:27017,b:27017") into host names without ports.
func splitHosts(hostport string) []string {
	var out []string
	for h := range strings.SplitSeq(hostport, ",") {
		if strings.HasPrefix(h, "[") {
			if i := strings.IndexByte(h, ']'); i > 0 {
				h = h[:i+1]
			}
		} else if i := strings.IndexByte(h, ':'); i >= 0 {
			h = h[:i]
		}
		out = append(out, h)
	}
	return out
}

// validURLPassword is the ValidateMatch of the URL detectors: match is scheme://user:pw@host
// with the password at match[start:end]; it is reported when net/url (or the fallback split)
// finds that password, every host may be real and the password passes passwordOK.
func validURLPassword(minLen int, minEntropy float64) func(match []byte, start, end int) (Confidence, bool) {
	return func(match []byte, start, end int) (Confidence, bool) {
		if end >= len(match) || match[end] != '@' {
			return "", false
		}
		// The pattern may have consumed one byte before the scheme as a boundary.
		user, pw, hosts, ok := urlUserinfo(string(match[bytesIndexScheme(match):]))
		if !ok || !passwordOK(user, pw, minLen, minEntropy) {
			return "", false
		}
		for _, h := range hosts {
			if !hostOK(h) {
				return "", false
			}
		}
		return ConfidencePattern, true
	}
}

func isSchemeByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '.' || c == '-'
}

// bytesIndexScheme returns where the scheme of the URL in match starts (after a boundary
// byte the pattern consumed), or 0.
func bytesIndexScheme(match []byte) int {
	i := bytes.Index(match, []byte("://"))
	if i < 0 {
		return 0
	}
	for i > 0 && isSchemeByte(match[i-1]) {
		i--
	}
	return i
}
