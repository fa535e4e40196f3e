package detectors

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// Fuzz targets for the parsers of structured credentials: connection strings (URLs, JDBC,
// ADO.NET), key blocks (PEM, PuTTY) and GCP key files. Each is seeded from the registered
// samples of its detectors and checks, beyond FuzzDetectors' invariants, what its parser
// promises.

// samplesOf returns the true positives (with their leads and tails, bare and in JSON) and the
// false positives of the detectors with the given ids, or of every detector when none is given.
func samplesOf(ids ...string) []string {
	var out []string
	for _, c := range detectorCases {
		if len(ids) > 0 && !slices.Contains(ids, c.new().ID) {
			continue
		}
		tps, fps := c.cases()
		for i, p := range tps {
			in := c.sample(i, p.token)
			out = append(out, in, contexts(in)["json"])
		}
		for _, p := range fps {
			out = append(out, p.input)
		}
	}
	return out
}

// checkSpans runs d over buf and checks every match lies inside buf; it returns the tokens.
func checkSpans(t *testing.T, d *Detector, buf []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for _, m := range d.Find(buf) {
		if m.Start < 0 || m.End > len(buf) || m.Start >= m.End {
			t.Fatalf("%s: Find(%q) = span [%d,%d), want a non-empty span within %d bytes", d.ID, buf, m.Start, m.End, len(buf))
		}
		out = append(out, buf[m.Start:m.End])
	}
	return out
}

// FuzzConnectionStrings checks the URL and connection-string detectors and their
// ValidateMatch on arbitrary input and arbitrary spans: no panic, and every reported password
// is one value (no separator of the surrounding syntax inside it).
func FuzzConnectionStrings(f *testing.F) {
	for _, s := range samplesOf("database-url-password", "amqp-url-password", "ftp-url-password", "http-basic-auth-url") {
		f.Add(s, uint16(0), uint16(0))
	}
	f.Add("jdbc:oracle:thin:a/b@c", uint16(3), uint16(9))
	f.Add("xjdbc:mysql://u:p@h", uint16(2), uint16(16))
	dets := []*Detector{DatabaseURLPassword(), AMQPURLPassword(), FTPURLPassword(), HTTPBasicAuthURL()}
	f.Fuzz(func(t *testing.T, s string, a, b uint16) {
		buf := []byte(s)
		for _, d := range dets {
			for _, tok := range checkSpans(t, d, buf) {
				if bytes.ContainsAny(tok, " \t\r\n\"'`<>;&@/?#\\") {
					t.Fatalf("%s: Find(%q) reported a password holding a separator", d.ID, s)
				}
			}
			// ValidateMatch must survive any span, not only the pattern's.
			start, end := int(a)%(len(buf)+1), int(b)%(len(buf)+1)
			if start > end {
				start, end = end, start
			}
			if c, ok := d.ValidateMatch(buf, start, end); ok && c != ConfidencePattern {
				t.Fatalf("%s: ValidateMatch confidence = %q, want pattern", d.ID, c)
			}
		}
		urlUserinfo(s)
		kvHost(strings.ToLower(s))
		kvUser(strings.ToLower(s))
	})
}

// FuzzKeyBlocks checks the PEM and PuTTY block parsers: no panic; a PuTTY match starts with
// its header and ends with its MAC line; checksum confidence only for an unencrypted file
// whose MAC verifies.
func FuzzKeyBlocks(f *testing.F) {
	for _, s := range samplesOf("private-key", "putty-private-key") {
		f.Add(s)
	}
	f.Add("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: \nPublic-Lines: 1\nAAAA\nPrivate-Lines: 1\nAAAA\nPrivate-MAC: " + strings.Repeat("ab", 32))
	ppkDet, pemDet := PuTTYPrivateKey(), PrivateKey()
	f.Fuzz(func(t *testing.T, s string) {
		buf := []byte(s)
		validPEMBody(buf)
		if c, ok := validPPK(buf); ok {
			k, parsed := parsePPK(buf)
			if !parsed || (c == ConfidenceChecksum) != (k.enc == "none" && k.macOK()) {
				t.Fatalf("validPPK(%q) = %s, but parse %v, encryption %q", s, c, parsed, k.enc)
			}
		}
		for _, tok := range checkSpans(t, ppkDet, buf) {
			if !bytes.HasPrefix(tok, []byte("PuTTY-User-Key-File-")) || !bytes.Contains(tok, []byte("Private-MAC: ")) {
				t.Fatalf("Find(%q) reported a PuTTY block without its header or MAC", s)
			}
		}
		for _, tok := range checkSpans(t, pemDet, buf) {
			if !bytes.HasPrefix(tok, []byte("-----BEGIN ")) || !bytes.HasSuffix(tok, []byte("-----")) {
				t.Fatalf("Find(%q) reported a PEM block without its armor lines", s)
			}
		}
	})
}

// FuzzGCPKeyFile checks the GCP key-file detector and its JSON validation: no panic on any
// input or span, and a reported token is exactly a PKCS#8 PEM block.
func FuzzGCPKeyFile(f *testing.F) {
	for _, s := range samplesOf("gcp-service-account-key") {
		f.Add(s, uint16(0), uint16(0))
	}
	f.Add(`{"type":"service_account","private_key":"-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----"}`, uint16(40), uint16(90))
	d := GCPServiceAccountKey()
	f.Fuzz(func(t *testing.T, s string, a, b uint16) {
		buf := []byte(s)
		for _, tok := range checkSpans(t, d, buf) {
			if !bytes.HasPrefix(tok, []byte("-----BEGIN PRIVATE KEY-----")) || !bytes.HasSuffix(tok, []byte("-----END PRIVATE KEY-----")) {
				t.Fatalf("Find(%q) reported a token that is not a PEM block", s)
			}
		}
		start, end := int(a)%(len(buf)+1), int(b)%(len(buf)+1)
		if start > end {
			start, end = end, start
		}
		validGCPKeyFile(buf, start, end)
	})
}
