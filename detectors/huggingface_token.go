package detectors

func init() { register(HuggingFaceToken) }

// HuggingFaceToken finds Hugging Face user access tokens: hf_ + 34 ASCII letters. Identifiers
// such as hf_requiredCharacteristicTypes… share the shape, so the body must mix cases the way
// random letters do (at least 6 upper and 6 lower case) and have real entropy.
//
// References: https://huggingface.co/docs/hub/security-tokens
func HuggingFaceToken() *Detector {
	return &Detector{
		ID:          "huggingface-token",
		Description: "Hugging Face user access token",
		Provider:    "huggingface",
		RotateURL:   "https://huggingface.co/docs/hub/security-tokens",
		Keywords:    []string{"hf_"},
		Pattern:     bounded(`hf_[A-Za-z]{34}`),
		Before:      8,
		After:       48,
		MinEntropy:  4,
		Validate: func(tok []byte) (Confidence, bool) {
			upper, lower := 0, 0
			for _, c := range tok[3:] {
				if c >= 'A' && c <= 'Z' {
					upper++
				} else {
					lower++
				}
			}
			if upper < 6 || lower < 6 {
				return "", false
			}
			return ConfidencePattern, true
		},
	}
}
