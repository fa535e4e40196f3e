package pipeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/notify"
)

// golden is the message of testdata/outbox-v1.json and outbox-v0.json.
func golden() notify.Leak {
	sha := strings.Repeat("a", 40)
	return notify.Leak{Detector: "github-classic-pat", Provider: "github", TokenKind: "GitHub classic personal access token",
		Redacted: "ghp_Ab12…", Fingerprint: "3f1c9a0e5b7d2c4a8e6f0b1d3c5a7e9f2b4d6c8a0e1f3b5d7c9a2e4f6b8d0c1a",
		Repository: "https://github.com/contoso/app", Commit: sha, Path: "ci/deploy.yml", Line: 3,
		CommitURL: "https://github.com/contoso/app/commit/" + sha,
		FoundAt:   time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC), Action: notify.ActionRevoked,
		ActionAt: time.Date(2026, 3, 14, 12, 5, 0, 0, time.UTC), ActionReason: "revoked; confirmed dead",
		OwnerName: "J Doe", OwnerEmail: "j@example.com", Contact: "secops@contoso.example"}
}

// TestPayloadGolden: queued messages of every version read back the same after an upgrade,
// and the version 1 format is frozen (what this patrol writes is byte for byte the golden).
func TestPayloadGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file    string
		version int
		role    string
		primary bool
	}{
		{file: "testdata/outbox-v1.json", version: 1, role: roleOwner, primary: true},
		{file: "testdata/outbox-v0.json", version: 0}, // queued before formats had versions
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			pl, err := readPayload(b)
			if err != nil {
				t.Fatalf("readPayload = %v", err)
			}
			if pl.V != tt.version || pl.Role != tt.role || pl.Primary != tt.primary {
				t.Errorf("v %d role %q primary %v, want %d %q %v", pl.V, pl.Role, pl.Primary, tt.version, tt.role, tt.primary)
			}
			if diff := cmp.Diff(golden(), pl.leak()); diff != "" {
				t.Errorf("leak (-want +got):\n%s", diff)
			}
			if tt.version != payloadVersion {
				return
			}
			out, err := json.Marshal(pl)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, bytes.TrimSpace(b)) {
				t.Errorf("version %d is written as\n%s\nwant (frozen)\n%s", payloadVersion, out, b)
			}
		})
	}
}

func TestPayloadUnreadable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, payload, want string
	}{
		{name: "newer version", payload: `{"v":2,"detector":"x"}`, want: "version 2 is newer"},
		{name: "not a version", payload: `{"v":"1"}`, want: "cannot unmarshal"},
		{name: "bad field", payload: `{"v":1,"line":"three"}`, want: "version 1"},
		{name: "not JSON", payload: `<xml/>`, want: "invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := readPayload([]byte(tt.payload))
			if !errors.Is(err, ErrPayload) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("readPayload(%s) = %v, want ErrPayload with %q", tt.payload, err, tt.want)
			}
		})
	}
}

func TestConfirmBackoff(t *testing.T) {
	t.Parallel()
	var got []time.Duration
	for i := range 9 {
		got = append(got, ConfirmBackoff(i))
	}
	want := []time.Duration{5 * time.Second, 5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second,
		80 * time.Second, 160 * time.Second, 5 * time.Minute, 5 * time.Minute}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ConfirmBackoff (-want +got):\n%s", diff)
	}
}

// FuzzReadPayload: whatever the outbox holds, reading it never panics, and what reads back
// renders or fails with ErrInvalidLeak.
func FuzzReadPayload(f *testing.F) {
	for _, name := range []string{"testdata/outbox-v1.json", "testdata/outbox-v0.json"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"v":2}`))
	f.Add([]byte(`{"v":-1,"action":"exploded"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		pl, err := readPayload(b)
		if err != nil {
			if !errors.Is(err, ErrPayload) {
				t.Fatalf("readPayload = %v, not ErrPayload", err)
			}
			return
		}
		if _, _, _, err := notify.Render(pl.leak()); err != nil && !errors.Is(err, notify.ErrInvalidLeak) {
			t.Fatalf("Render = %v", err)
		}
	})
}
