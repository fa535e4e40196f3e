package detectors

import "testing"

// TestIsPlaceholder checks the placeholder filter every detector applies, on stand-ins and on
// the documentation samples vendors publish (built here from pieces, so that no sample sits in
// the tree whole), and that generated tokens pass it.
func TestIsPlaceholder(t *testing.T) {
	t.Parallel()
	firebaseDoc := "AIza" + "SyDOC" + "AbC123dEf456GhI789jKl01" + "-MnO"
	firebaseDoc2 := "AIza" + "SyDOC" + "AbC123dEf456GhI789jKl012" + "-MnO"
	tests := []struct {
		name string
		tok  string
		want bool
	}{
		{"firebase web-config doc key", firebaseDoc, true},
		{"firebase doc key, other edition", firebaseDoc2, true},
		{"aws doc secret", "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY", true},
		{"aws doc key id", "AKIAIOSFODNN7" + "EXAMPLE", true},
		{"template", "<your-api-key>", true},
		{"env reference", "${API_TOKEN}", true},
		{"x run", "ghp_" + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", true},
		{"ascending", "abcdefghijklmnop", true},
		{"stepped digits", "a123b456c789d", true},
		{"two stepped runs", "Q" + rnd(5060, alnum, 12) + "abc" + rnd(5061, alnum, 12) + "123", false},
		{"generated 40", rnd(5062, alnum, 40), false},
		{"generated base64", rnd(5063, b64std, 86) + "==", false},
		{"generated hex", rnd(5064, hexLo, 64), false},
		{"long body with stepped runs", rnd(5066, b64std, 300) + "abc" + rnd(5067, b64std, 300) + "123" + rnd(5068, b64std, 300) + "xyz", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := IsPlaceholder([]byte(tt.tok)); got != tt.want {
				t.Errorf("IsPlaceholder(%s) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
	// The documentation samples are shorter than a real key (35 characters after AIza), but
	// a copy padded to the length is still one; the generic rule, which would take any of
	// them for an apiKey's value, and the Google API key detector both leave them.
	padded := firebaseDoc2 + "pQ"
	for _, s := range []string{firebaseDoc, firebaseDoc2, padded} {
		in := `const firebaseConfig = { apiKey: "` + s + `", authDomain: "x.firebaseapp.com" };`
		for _, d := range []*Detector{GoogleAPIKey(), GenericSecretAssignment()} {
			if got := findAll(d, in); len(got) != 0 {
				t.Errorf("%s finds the %d-byte Firebase documentation key", d.ID, len(s))
			}
		}
	}
	if got := findAll(GoogleAPIKey(), "apiKey: "+padded[:4]+rnd(5065, alnum, 35)); len(got) != 1 {
		t.Errorf("google-api-key finds %d generated keys of the padded sample's shape, want 1", len(got))
	}
}

// TestSteppedRunsRare measures how often generated tokens would be taken for documentation
// samples: none of 20,000 pseudo-random 40-character tokens has three stepped runs.
func TestSteppedRunsRare(t *testing.T) {
	t.Parallel()
	const n, size = 20000, 40
	all := rnd(5070, alnum, n*size)
	for i := range n {
		if tok := all[i*size : (i+1)*size]; steppedRuns([]byte(tok)) >= 3 {
			t.Errorf("generated token %d has %d stepped runs", i, steppedRuns([]byte(tok)))
		}
	}
}
