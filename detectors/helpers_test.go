package detectors

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// Test tokens are synthetic and assembled at run time so that no token-shaped literal sits in
// the tree (patrol scan . stays clean).

const (
	alnum   = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	lowerN  = "abcdefghijklmnopqrstuvwxyz0123456789"
	hexLo   = "0123456789abcdef"
	digits  = "0123456789"
	upperN  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b64std  = alnum + "+/"
	b64url  = alnum + "-_"
	b32up   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
)

// rnd returns n deterministic pseudo-random characters from alphabet; seed varies the output.
func rnd(seed uint64, alphabet string, n int) string {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	var b strings.Builder
	for range n {
		b.WriteByte(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

// rnd16 returns 16 deterministic pseudo-random bytes (the random part of a GitLab routable
// token); seed varies the output.
func rnd16(seed uint64) [16]byte {
	r := rand.New(rand.NewPCG(seed, 0x5851f42d4c957f2d))
	var b [16]byte
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// flipLast changes the last character of s to another one of the same class (digit, lower,
// upper), which breaks a checksum but keeps the shape.
func flipLast(s string) string {
	c := s[len(s)-1]
	switch {
	case c >= '0' && c <= '8', c >= 'a' && c <= 'y', c >= 'A' && c <= 'Y':
		c++
	default:
		c--
	}
	return s[:len(s)-1] + string(c)
}

// ghToken builds a checksum-valid GitHub/npm style token: prefix + 30 random + checksum.
func ghToken(seed uint64, prefix string) string {
	body := rnd(seed, alnum, 30)
	return prefix + body + CRC32Base62([]byte(body))
}

// contexts renders a token the ways it shows up in repositories.
func contexts(tok string) map[string]string {
	return map[string]string{
		"bare":   tok,
		"env":    "export TOKEN=" + tok + "\n",
		"yaml":   "auth:\n  token: \"" + tok + "\"\n",
		"json":   `{"token": "` + tok + `", "n": 1}`,
		"go":     "const tok = `" + tok + "`\n",
		"python": "TOKEN = '" + tok + "'  # temp\n",
		"url":    "https://user:" + tok + "@example.invalid/path?x=1",
		"ini":    "[auth]\ntoken = " + tok + "\n",
	}
}

// tp is a true positive: the input and the token the detector must report.
type tp struct {
	name  string
	token string
	conf  Confidence
}

// fp is a false positive: input the detector must not report.
type fp struct {
	name  string
	input string
}

// findAll runs the detector over buf the way the scanner does: the whole buffer as the window.
func findAll(d *Detector, buf string) []string {
	var out []string
	for _, m := range d.Find([]byte(buf)) {
		out = append(out, buf[m.Start:m.End])
	}
	return out
}

// leadFor returns the text placed before true positive i: leads[i%len(leads)], or "".
func leadFor(leads []string, i int) string {
	if len(leads) == 0 {
		return ""
	}
	return leads[i%len(leads)]
}

// checkDetector runs the shared true/false positive checks for one detector. leads, when
// given, are placed right before the true positives in turn (tp i gets leads[i%len(leads)]):
// the keyword a context detector needs beside its token (aws_secret_access_key=, AccountKey=).
func checkDetector(t *testing.T, d *Detector, tps []tp, fps []fp, leads ...string) {
	t.Helper()
	checkDetectorAround(t, d, tps, fps, leads, nil)
}

// checkDetectorAround is checkDetector for tokens inside a larger structure: tails, when
// given, are placed right after the true positives in turn, as leads are before them (the
// "@db.internal/app" after a password in a database URL).
func checkDetectorAround(t *testing.T, d *Detector, tps []tp, fps []fp, leads, tails []string) {
	t.Helper()
	if len(tps) < 3 || len(fps) < 3 {
		t.Errorf("%s: want at least 3 true and 3 false positives, have %d and %d", d.ID, len(tps), len(fps))
	}
	for i, c := range tps {
		for ctxName, input := range contexts(leadFor(leads, i) + c.token + leadFor(tails, i)) {
			t.Run("tp/"+c.name+"/"+ctxName, func(t *testing.T) {
				ms := d.Find([]byte(input))
				if len(ms) != 1 {
					t.Fatalf("Find(%s) = %d matches, want 1", ctxName, len(ms))
				}
				if got := input[ms[0].Start:ms[0].End]; got != c.token {
					t.Errorf("Find(%s) matched %d bytes at %d, want the %d-byte token", ctxName, len(got), ms[0].Start, len(c.token))
				}
				if c.conf != "" && ms[0].Confidence != c.conf {
					t.Errorf("Find(%s) confidence = %s, want %s", ctxName, ms[0].Confidence, c.conf)
				}
				if !keywordHit(d, input, ms[0]) {
					t.Errorf("prefilter misses its own true positive in %s", ctxName)
				}
			})
		}
	}
	for _, c := range fps {
		t.Run("fp/"+c.name, func(t *testing.T) {
			if got := findAll(d, c.input); len(got) != 0 {
				t.Errorf("Find(%q) = %d matches, want none", c.name, len(got))
			}
		})
	}
}

// keywordHit reports whether the detector's prefilter fires for match m in input: a keyword
// within the window, or a charset run covering the token.
func keywordHit(d *Detector, input string, m Match) bool {
	if d.Run != nil {
		n := 0
		for _, c := range []byte(input[m.Start:m.End]) {
			if strings.IndexByte(d.Run.Charset, c) >= 0 {
				n++
			}
		}
		return n == m.End-m.Start && n >= d.Run.MinLen
	}
	lower := strings.ToLower(input)
	before, after := d.Window()
	for _, k := range d.Keywords {
		for i := 0; ; {
			j := strings.Index(lower[i:], k)
			if j < 0 {
				break
			}
			pos := i + j
			if pos-before <= m.Start && m.End <= pos+len(k)+after {
				return true
			}
			i = pos + 1
		}
	}
	return false
}

// form is one syntax a credential is written in: a name and the text holding it.
type form struct{ name, in string }

// checkForms checks that d finds tok, and only tok, in each form (the context-form tables of
// the detectors that need a name or a partner value beside their token).
func checkForms(t *testing.T, d *Detector, tok string, forms []form) {
	t.Helper()
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			ms := d.Find([]byte(f.in))
			if len(ms) != 1 || f.in[ms[0].Start:ms[0].End] != tok {
				t.Fatalf("Find(%s) = %d matches, want the %d-byte token once", f.name, len(ms), len(tok))
			}
			if !keywordHit(d, f.in, ms[0]) {
				t.Errorf("prefilter misses the token in %s", f.name)
			}
		})
	}
}
