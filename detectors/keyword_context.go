package detectors

// Helpers for detectors whose token has no literal prefix of its own and is only a finding
// next to a name that says whose it is (CF_API_TOKEN=…, "datadog": …, okta … SSWS …).

// afterKeyword returns a pattern for token written after one of the names in kw (an RE2
// alternation, matched case-insensitively), in either of two ways:
//   - on the same line, at most 48 bytes on: the distance from a variable name, flag or JSON
//     key to its value in every syntax the samples cover (KW_TOKEN=…, "kw": "…", --kw-token …);
//   - nested one or two lines below the name, as YAML and pretty-printed JSON write it
//     (kw:⏎  api_key: …, "kw": {⏎ "token": "…"): the value's own line must be indented and
//     name a key or token.
//
// cls lists the bytes that may not touch the token on either side (a character class body
// ending in '-' if it holds one, such as `0-9A-Za-z_-`); the byte after the token may not
// be '=' either, which keeps out runs cut from base64 (go.sum's h1: hashes sit next to
// module paths).
func afterKeyword(kw, token, cls string) string {
	sameLine := `[^\r\n]{0,48}?[^\r\n` + cls + `]`
	nested := `[^\r\n]{0,16}\r?\n(?:[^\r\n]{0,80}\r?\n)?[ \t]+["']?[0-9A-Za-z_.-]{0,24}(?i:key|token)["']?[ \t]*[:=][ \t]*["']?`
	return `(?i:` + kw + `)(?:` + sameLine + `|` + nested + `)(` + token + `)(?:[^=` + cls + `]|$)`
}

// charClasses counts the upper-case letters, lower-case letters and digits in tok.
func charClasses(tok []byte) (upper, lower, digit int) {
	for _, c := range tok {
		switch {
		case c >= 'A' && c <= 'Z':
			upper++
		case c >= 'a' && c <= 'z':
			lower++
		case c >= '0' && c <= '9':
			digit++
		}
	}
	return upper, lower, digit
}

// mixedAlnum accepts a random token drawn from letters of both cases and digits: a run of
// 20 or more such characters without all three classes is almost always a word, an
// identifier or a hash, not a generated secret.
func mixedAlnum(tok []byte) (Confidence, bool) {
	u, l, d := charClasses(tok)
	return ConfidencePattern, u > 0 && l > 0 && d > 0
}

// hexLetterAndDigit accepts lower-case hex with at least one letter and one digit (a run of
// digits alone is a number, not a key).
func hexLetterAndDigit(tok []byte) (Confidence, bool) {
	_, l, d := charClasses(tok)
	return ConfidencePattern, l > 0 && d > 0
}
