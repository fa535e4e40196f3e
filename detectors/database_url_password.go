package detectors

import (
	"bytes"
	"strings"
)

func init() { register(DatabaseURLPassword) }

// DatabaseURLPassword finds database passwords written into connection strings: URLs
// (postgres://, postgresql://, mysql://, mariadb://, mongodb://, mongodb+srv://, redis://,
// rediss://, and the same behind jdbc:) with user:password@host, JDBC URLs with a
// password= or pwd= parameter and Oracle's jdbc:oracle:thin:user/password@host, and ADO.NET or
// ODBC strings with Password= or Pwd= beside Server=, Data Source=, Host= or Address=. The
// token is the password alone, never the whole string, so a report shows the host but not
// the secret.
//
// Documentation and local development values are not reported: see the rules at the top of
// urlcred.go (placeholders, well-known defaults, passwords under six bytes, hosts reserved
// for documentation and loopback). A raw ;, &, @, /, ?, # or quote inside a key=value
// password ends it early; such a password is then usually too short or fails the checks.
//
// References: https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS,
// https://www.mongodb.com/docs/manual/reference/connection-string/,
// https://learn.microsoft.com/en-us/dotnet/api/system.data.sqlclient.sqlconnection.connectionstring
func DatabaseURLPassword() *Detector {
	return &Detector{
		ID:          "database-url-password",
		Description: "Database password in a connection URL or connection string",
		Keywords: []string{"postgres", "mysql:", "mariadb:", "mongodb:", "mongodb+srv:",
			"redis:/", "rediss:/", "jdbc:", "password=", "pwd="},
		// Unbounded repeats: counted ones make RE2 slower in every window; the window bounds
		// the match.
		Pattern: `(?:^|[^0-9A-Za-z+.-])(?:` +
			// URL: scheme://user:PASSWORD@host
			`(?i:jdbc:)?(?i:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?)://` + urlUserChars + `:|` +
			// JDBC parameter: jdbc:sub:…?password=PASSWORD
			`(?i:jdbc:[a-z0-9]+(?::[a-z0-9]+)*:)[^\s"'` + "`" + `<>]*?[?&;](?i:password|pwd)=|` +
			// Oracle thin: jdbc:oracle:thin:user/PASSWORD@host
			`(?i:jdbc:oracle:[a-z]+:)[^\s"'` + "`" + `<>/@:;]+/|` +
			// ADO.NET / ODBC: Server=…;…;Password=PASSWORD;
			`(?i:server|data source|host|address|addr|network address)[ \t]*=[ \t]*[^;"'` + "`" + `\n]+;` +
			`(?:[^;"'` + "`" + `\n]*;)*?[ \t]*(?i:password|pwd)[ \t]*=[ \t]*` +
			`)(` + urlPassChars + `)(?:@(?://)?` + urlHostChars + `|[;&"'` + "`" + `\s]|$)`,
		Before:           256,
		After:            320,
		Broad:            true, // any credential may be the password; a specific detector wins
		KeepPlaceholders: true, // passwordOK checks the decoded password instead
		ValidateMatch:    validDatabasePassword,
		RotateURL:        "https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html#43-rotation",
	}
}

// minDBEntropy is the least entropy (bits per byte) of a reported database password: human
// passwords are allowed, runs of one or two characters are not.
const minDBEntropy = 2.0

// validDatabasePassword checks a connection-string match by its form: a URL (net/url), an
// Oracle thin URL, or key=value pairs (JDBC parameters, ADO.NET, ODBC).
func validDatabasePassword(match []byte, start, end int) (Confidence, bool) {
	lower := bytes.ToLower(match[:start])
	if end < len(match) && match[end] == '@' {
		if i := bytes.Index(lower, []byte("jdbc:oracle:")); i >= 0 {
			head := string(match[i:start]) // jdbc:oracle:thin:user/
			user := head[strings.LastIndexByte(head[:len(head)-1], ':')+1 : len(head)-1]
			host := strings.TrimPrefix(string(match[end+1:]), "//")
			host = strings.TrimRightFunc(host, func(r rune) bool { return !isSchemeByte(byte(r)) })
			host, _, _ = strings.Cut(host, ":")
			if !hostOK(host) || !passwordOK(user, string(match[start:end]), minURLPassword, minDBEntropy) {
				return "", false
			}
			return ConfidencePattern, true
		}
		if !bytes.Contains(lower, []byte("://")) {
			return "", false
		}
		// jdbc:mysql://user:pw@host is a URL behind the jdbc: prefix.
		m := match
		if i := bytes.Index(bytes.ToLower(m), []byte("jdbc:")); i >= 0 && i+len("jdbc:") <= start {
			m = m[i+len("jdbc:"):]
			start, end = start-i-len("jdbc:"), end-i-len("jdbc:")
		}
		return validURLPassword(minURLPassword, minDBEntropy)(m, start, end)
	}
	if !bytes.HasSuffix(bytes.TrimRight(lower, " \t"), []byte("=")) {
		return "", false // scheme://host:port, not a password
	}
	pw := string(match[start:end])
	if !passwordOK(kvUser(string(lower)), pw, minURLPassword, minDBEntropy) {
		return "", false
	}
	if !hostOK(kvHost(string(lower))) {
		return "", false
	}
	return ConfidencePattern, true
}

// kvHost returns the server named in a lower-cased JDBC URL (//host:port/) or key=value
// string (server=tcp:host,1433;), without protocol, port or instance.
func kvHost(s string) string {
	var h string
	if j := strings.Index(s, "jdbc:"); j >= 0 {
		i := strings.Index(s[j:], "//")
		if i < 0 {
			return "" // jdbc:sqlserver:host… without //: no host to judge
		}
		h = s[j+i+2:]
		if j := strings.IndexAny(h, "/;?:,"); j >= 0 {
			h = h[:j]
		}
		return h
	}
	_, h, _ = strings.Cut(s, "=") // the first key is the server (the pattern starts there)
	h, _, _ = strings.Cut(h, ";")
	h = strings.TrimSpace(h)
	for _, p := range []string{"tcp:", "np:", "lpc:"} {
		h = strings.TrimPrefix(h, p)
	}
	if j := strings.IndexAny(h, ",\\:"); j >= 0 && !strings.HasPrefix(h, "(localdb)") {
		h = h[:j]
	}
	return h
}

// kvUser returns the user named in a lower-cased key=value string (user id=, uid=, user=,
// username=), or "".
func kvUser(s string) string {
	for _, k := range []string{"user id=", "userid=", "uid=", "username=", "user="} {
		if i := strings.Index(s, k); i >= 0 {
			v := s[i+len(k):]
			if j := strings.IndexAny(v, ";&"); j >= 0 {
				v = v[:j]
			}
			return strings.TrimSpace(v)
		}
	}
	return ""
}
