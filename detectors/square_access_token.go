package detectors

func init() { register(SquareAccessToken) }

// SquareAccessToken finds Square access tokens: personal and OAuth access tokens (EAAA + 60
// characters of [0-9A-Za-z_-]) and the older sq0atp- + 22 characters. An EAAA run of any
// other length is not one (Facebook user tokens also start EAA and run far longer).
//
// References: https://developer.squareup.com/docs/build-basics/access-tokens
func SquareAccessToken() *Detector {
	return &Detector{
		ID:          "square-access-token",
		Description: "Square access token",
		Keywords:    []string{"eaaa", "sq0atp-"},
		Pattern:     bounded(`EAAA[0-9A-Za-z_-]{60}|sq0atp-[0-9A-Za-z_-]{22}`),
		Before:      8,
		After:       80,
		MinEntropy:  3.5,
		Validate:    mixedAlnum,
		RotateURL:   "https://developer.squareup.com/docs/build-basics/access-tokens",
	}
}
