package detectors

import (
	"bytes"
	"encoding/base64"
	"net/url"
	"slices"
	"testing"
)

// detectorCase ties a detector to its true and false positives (the casesX funcs beside
// each detector's test) and to the leads its true positives need.
type detectorCase struct {
	new   func() *Detector
	cases func() ([]tp, []fp)
	leads []string
	tails []string
}

// sample returns true positive i of c as it is tested: its lead, the token, its tail.
func (c detectorCase) sample(i int, tok string) string {
	return leadFor(c.leads, i) + tok + leadFor(c.tails, i)
}

// detectorCases is every registered case (registerCases, from each detector's test file).
// TestEveryDetectorHasCases keeps it in step with the registry; TestDetectorSamples runs
// each; the fuzz targets seed from them.
var detectorCases []detectorCase

// registerCases registers a detector's samples. Each detector's test file calls it from an
// init function, beside its casesX func.
func registerCases(new func() *Detector, cases func() ([]tp, []fp), leads ...string) {
	detectorCases = append(detectorCases, detectorCase{new, cases, leads, nil})
}

// registerCasesAround registers the samples of a detector whose token sits inside a larger
// structure: true positive i is tested as leads[i%len(leads)] + token + tails[i%len(tails)]
// (a password between "postgres://app:" and "@db.internal/app").
func registerCasesAround(new func() *Detector, cases func() ([]tp, []fp), leads, tails []string) {
	detectorCases = append(detectorCases, detectorCase{new, cases, leads, tails})
}

// seedInputs returns every true positive (with its lead and tail, bare and in one context) and
// every false positive of every detector: the seed corpus of the fuzz targets.
func seedInputs() []string { return samplesOf() }

// FuzzDetectors runs every detector over arbitrary input: no panic, every match inside the
// input with a known confidence, and every reported token a substring of the input.
func FuzzDetectors(f *testing.F) {
	for _, s := range seedInputs() {
		f.Add(s)
	}
	f.Add("")
	f.Add("ghp_\nnpm_\n-----" + "BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----")
	dets := append(All(), Generic()...)
	f.Fuzz(func(t *testing.T, s string) {
		buf := []byte(s)
		for _, d := range dets {
			for _, m := range d.Find(buf) {
				if m.Start < 0 || m.End > len(buf) || m.Start >= m.End {
					t.Fatalf("%s: Find(%q) = span [%d,%d), want a non-empty span within %d bytes", d.ID, s, m.Start, m.End, len(buf))
				}
				tok := buf[m.Start:m.End]
				if !bytes.Contains(buf, tok) {
					t.Fatalf("%s: Find(%q) reported a token that is not in the input", d.ID, s)
				}
				want := []Confidence{ConfidenceChecksum, ConfidencePattern}
				if d.Generic {
					want = []Confidence{ConfidenceGeneric}
				}
				if !slices.Contains(want, m.Confidence) {
					t.Fatalf("%s: Find(%q) confidence = %q, want one of %v", d.ID, s, m.Confidence, want)
				}
				if n := d.PrefixLen(tok); n < 0 || n > len(tok) {
					t.Fatalf("%s: PrefixLen = %d for a %d-byte token", d.ID, n, len(tok))
				}
			}
		}
	})
}

// decoderSeeds returns the true positives encoded the ways the decoders undo.
func decoderSeeds() []string {
	var out []string
	for _, c := range detectorCases {
		tps, _ := c.cases()
		for i, p := range tps {
			in := c.sample(i, p.token)
			out = append(out,
				"Authorization: Basic "+base64.StdEncoding.EncodeToString([]byte(":"+in)),
				"_auth="+base64.RawURLEncoding.EncodeToString([]byte(in)),
				"https://example.invalid/?token="+url.QueryEscape(in),
			)
		}
	}
	return out
}

// checkDecoded checks the decoder invariants: spans inside the input, in order, and decoded
// output no larger than MaxDecodedRun or than the encoded text it came from.
func checkDecoded(t *testing.T, name string, buf []byte, ds []Decoded, encoding string) {
	t.Helper()
	prev := 0
	for _, d := range ds {
		if d.Start < prev || d.Start >= d.End || d.End > len(buf) {
			t.Fatalf("%s: span [%d,%d) after %d, want an ordered non-empty span within %d bytes", name, d.Start, d.End, prev, len(buf))
		}
		prev = d.End
		if len(d.Data) > MaxDecodedRun || len(d.Data) > d.End-d.Start {
			t.Fatalf("%s: decoded %d bytes from a %d-byte run, want at most %d and no more than the run", name, len(d.Data), d.End-d.Start, MaxDecodedRun)
		}
		if d.Encoding != encoding {
			t.Fatalf("%s: encoding = %q, want %q", name, d.Encoding, encoding)
		}
	}
}

// FuzzBase64Runs checks Base64Runs on arbitrary input.
func FuzzBase64Runs(f *testing.F) {
	for _, s := range decoderSeeds() {
		f.Add(s)
	}
	f.Add("====" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0}, 40)))
	f.Fuzz(func(t *testing.T, s string) {
		buf := []byte(s)
		checkDecoded(t, "Base64Runs", buf, Base64Runs(buf), "base64")
	})
}

// FuzzURLDecodeRuns checks URLDecodeRuns on arbitrary input.
func FuzzURLDecodeRuns(f *testing.F) {
	for _, s := range decoderSeeds() {
		f.Add(s)
	}
	f.Add("%%%41%4" + "%zz%00%ff")
	f.Fuzz(func(t *testing.T, s string) {
		buf := []byte(s)
		checkDecoded(t, "URLDecodeRuns", buf, URLDecodeRuns(buf), "url")
	})
}

// FuzzDecodeRuns checks DecodeRuns, the nested decoder's entry, on arbitrary input and on what
// it decodes, three levels deep.
func FuzzDecodeRuns(f *testing.F) {
	for _, s := range decoderSeeds() {
		f.Add(s)
		f.Add(base64.StdEncoding.EncodeToString([]byte(s)))
	}
	f.Fuzz(func(t *testing.T, s string) {
		level := [][]byte{[]byte(s)}
		for range 3 {
			var next [][]byte
			for _, buf := range level {
				runs := DecodeRuns(buf)
				byEnc := map[string][]Decoded{}
				for _, r := range runs {
					byEnc[r.Encoding] = append(byEnc[r.Encoding], r)
					next = append(next, r.Data)
				}
				for enc, rs := range byEnc {
					checkDecoded(t, "DecodeRuns", buf, rs, enc)
				}
			}
			level = next
		}
	})
}
