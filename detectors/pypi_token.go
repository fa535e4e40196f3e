package detectors

func init() { register(PyPIToken) }

// PyPIToken finds PyPI API tokens: pypi- + a base64url macaroon whose serialisation starts
// with the location, so every pypi.org token starts pypi-AgEIcHlwaS5vcmc ("pypi.org") and
// every test.pypi.org token pypi-AgENdGVzdC5weXBpLm9yZw ("test.pypi.org").
//
// References: https://pypi.org/help/#apitoken, https://docs.pypi.org/trusted-publishers/
func PyPIToken() *Detector {
	return &Detector{
		ID:          "pypi-token",
		Description: "PyPI API token",
		RotateURL:   "https://pypi.org/help/#apitoken",
		Keywords:    []string{"pypi-ageichlwas5vcmc", "pypi-agendgvzdc5wexbplm9yzw"},
		Pattern:     bounded(`pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[0-9A-Za-z_-]{50,1000}`),
		Before:      8,
		After:       1040,
		MinEntropy:  4,
	}
}
