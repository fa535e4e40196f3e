package detectors

func init() { register(AgeSecretKey) }

// AgeSecretKey finds age (file encryption) X25519 identities: AGE-SECRET-KEY-1 + 58
// characters of upper-case Bech32, which carries a checksum (BIP 173): a mismatch is not a
// finding. The 52 data characters hold the 32-byte key; the 4 spare bits must be zero.
//
// References: https://github.com/C2SP/C2SP/blob/main/age.md#the-x25519-recipient-type
func AgeSecretKey() *Detector {
	return &Detector{
		ID:          "age-secret-key",
		Description: "age X25519 secret key",
		Checks:      "Bech32",
		Keywords:    []string{"age-secret-key-1"},
		Pattern:     bounded(`AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}`),
		Before:      8,
		After:       72,
		Validate: func(tok []byte) (Confidence, bool) {
			data, ok := validBech32(tok)
			if !ok || len(data) != 52 || data[51]&0x0f != 0 {
				return "", false
			}
			return ConfidenceChecksum, true
		},
	}
}
