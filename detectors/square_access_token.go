package detectors

func init() { register(SquareAccessToken) }

// SquareAccessToken finds Square access tokens: personal and OAuth access tokens (EAAA + 60
// characters of [0-9A-Za-z_-]) and the older sq0atp- + 22 characters. An EAAA run of any
// other length is not one (Facebook user tokens also start EAA and run far longer). EAAA is
// also how base64 of the bytes 0x10 0 0 begins, and a PEM body line is 64 characters, so a
// token may not touch '+' or '/', nor be followed by '=', nor start a line (a file that
// holds only the token is still found: the start of the buffer is not a line start).
//
// References: https://developer.squareup.com/docs/build-basics/access-tokens
func SquareAccessToken() *Detector {
	return &Detector{
		ID:          "square-access-token",
		Description: "Square access token",
		Keywords:    []string{"eaaa", "sq0atp-"},
		Pattern: `(?:^|[^0-9A-Za-z_+/\n-])(EAAA[0-9A-Za-z_-]{60}|sq0atp-[0-9A-Za-z_-]{22})` +
			`(?:[^0-9A-Za-z_+/=-]|$)`,
		Before:     8,
		After:      80,
		MinEntropy: 3.5,
		Validate:   mixedAlnum,
		RotateURL:  "https://developer.squareup.com/docs/build-basics/access-tokens",
	}
}
