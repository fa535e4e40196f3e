package detectors

// Token boundaries shared by most patterns. RE2 has no look-around, so the byte before and
// after a token is consumed; Find resumes at the end of the token, so a separator can serve
// both the token before it and the one after it.
const (
	// startB is the start of the text or a byte that cannot continue a token.
	startB = `(?:^|[^0-9A-Za-z_-])`
	// endB is a byte that cannot continue a token, or the end of the text.
	endB = `(?:[^0-9A-Za-z_-]|$)`
)

// bounded makes token the first submatch of a pattern and requires that no [0-9A-Za-z_-]
// byte touches it on either side, so a longer run that merely contains a token-shaped piece
// is not reported.
func bounded(token string) string {
	return startB + "(" + token + ")" + endB
}
