package detectors

func init() { register(FTPURLPassword) }

// FTPURLPassword finds the password in FTP URLs, ftp://user:password@host, ftps:// and
// sftp://. The token is the password alone. Anonymous FTP (anonymous:guest,
// ftp:user@host), placeholders and hosts reserved for documentation or loopback are not
// reported (urlcred.go).
//
// References: https://www.rfc-editor.org/rfc/rfc1738#section-3.2
func FTPURLPassword() *Detector {
	return &Detector{
		ID:          "ftp-url-password",
		Description: "Password in an FTP or SFTP URL",
		Keywords:    []string{"ftp:/", "ftps:/"},
		Pattern: `(?:^|[^0-9A-Za-z+.-])(?i:s?ftps?)://` + urlUserChars + `:(` + urlPassChars + `)@` +
			urlHostChars,
		Before:           8,
		After:            320,
		Broad:            true, // any credential may be the password; a specific detector wins
		KeepPlaceholders: true, // passwordOK checks the decoded password instead
		ValidateMatch:    validFTPPassword,
		RotateURL:        "https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html#43-rotation",
	}
}

// validFTPPassword is validURLPassword without anonymous logins, whose password is by
// convention an email address or "guest".
func validFTPPassword(match []byte, start, end int) (Confidence, bool) {
	user, _, _, ok := urlUserinfo(string(match[bytesIndexScheme(match):]))
	if !ok || user == "anonymous" || user == "ftp" {
		return "", false
	}
	return validURLPassword(minURLPassword, minDBEntropy)(match, start, end)
}
