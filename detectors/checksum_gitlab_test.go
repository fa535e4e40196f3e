package detectors

import "testing"

func TestGitLabRoutable(t *testing.T) {
	t.Parallel()
	// PROVIDERS.md §3.1 synthetic example, in pieces.
	docs := "glpat-" + "AAECAwQFBgcICQoLDA0OD2M6MQpvOjEKdToyCw" + ".01." + "12" + "0bx6vzj"
	var seq [16]byte
	for i := range seq {
		seq[i] = byte(i)
	}
	if got := GitLabRoutableToken("glpat-", seq, "c:1\no:1\nu:2", true); got != docs {
		t.Errorf("GitLabRoutableToken(docs example) = %s, want %s", got, docs)
	}
	tests := []struct {
		name       string
		tok        string
		crc, shape bool
	}{
		{"docs example", docs, true, true},
		{"unversioned", GitLabRoutableToken("glpat-", rnd16(1), "o:1", false), true, true},
		{"long payload", GitLabRoutableToken("glpat-", rnd16(2), "c:2\ng:zz\no:1k\np:3a\nu:9z", true), true, true},
		{"tampered checksum", docs[:len(docs)-1] + "k", false, true},
		{"tampered body", "glpat-" + "AAECAwQFBgcICQoLDA0OD2M6MQpvOjEKdToyCx" + ".01." + "12" + "0bx6vzj", false, false},
		{"wrong length field", "glpat-" + "AAECAwQFBgcICQoLDA0OD2M6MQpvOjEKdToyCw" + ".01." + "13" + "0bx6vzj", false, false},
		{"too short", "glpat-", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ValidGitLabRoutable([]byte(tt.tok)); got != tt.crc {
				t.Errorf("ValidGitLabRoutable(%s) = %v, want %v", tt.name, got, tt.crc)
			}
			if got := gitlabRoutableShape([]byte(tt.tok), "glpat-"); got != tt.shape {
				t.Errorf("gitlabRoutableShape(%s) = %v, want %v", tt.name, got, tt.shape)
			}
		})
	}
	if got := GitLabRoutableToken("glpat-", seq, string(make([]byte, 160)), true); got != "" {
		t.Errorf("GitLabRoutableToken(160-byte payload) = %q, want \"\"", got)
	}
}
