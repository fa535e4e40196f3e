package secret

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestLoadOrCreateKeyConcurrentFirstUse: processes that start together on a machine without
// a key (cron entries, CI jobs) all get the one key that was created, never a partly
// written file ("0 bytes, want at least 16").
func TestLoadOrCreateKeyConcurrentFirstUse(t *testing.T) {
	t.Parallel()
	for round := range 30 {
		path := filepath.Join(t.TempDir(), "patrol", "fingerprint.key")
		const n = 16
		keys := make([][]byte, n)
		errs := make([]error, n)
		created := make([]bool, n)
		var start, wg sync.WaitGroup
		start.Add(1)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				start.Wait()
				k, err := ResolveKey(KeySources{File: path, Getenv: noEnv})
				keys[i], errs[i], created[i] = k.Bytes, err, k.Created
			}()
		}
		start.Done()
		wg.Wait()
		nCreated := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("round %d: ResolveKey #%d: %v", round, i, errs[i])
			}
			if !bytes.Equal(keys[i], keys[0]) {
				t.Fatalf("round %d: ResolveKey #%d got another key than #0", round, i)
			}
			if created[i] {
				nCreated++
			}
		}
		if nCreated != 1 {
			t.Fatalf("round %d: %d callers say they created the key, want 1", round, nCreated)
		}
		if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*")); len(left) != 0 {
			t.Fatalf("round %d: temporary files left behind: %v", round, left)
		}
	}
}

func noEnv(string) string { return "" }

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

// TestResolveKey: the flag's file, then PATROL_FINGERPRINT_KEY (hex), then
// PATROL_FINGERPRINT_KEY_FILE, then the config's file, then the default; bad values are
// errors that name the variable or file and never quote the key.
func TestResolveKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, key []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	flagKey, envKey, fileKey, cfgKey := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 16), bytes.Repeat([]byte{3}, 32), bytes.Repeat([]byte{4}, 32)
	flagFile, envFile, cfgFile := write("flag.key", flagKey), write("env.key", fileKey), write("cfg.key", cfgKey)
	shortHex := hex.EncodeToString(bytes.Repeat([]byte{5}, 15))
	tests := []struct {
		name    string
		src     KeySources
		env     map[string]string
		want    []byte
		from    string
		wantErr []string // substrings of the error
	}{
		{name: "flag wins", src: KeySources{File: flagFile, ConfigFile: cfgFile},
			env: map[string]string{KeyEnv: hex.EncodeToString(envKey), KeyFileEnv: envFile}, want: flagKey, from: flagFile},
		{name: "env key over env file and config", src: KeySources{ConfigFile: cfgFile},
			env: map[string]string{KeyEnv: " " + hex.EncodeToString(envKey) + "\n", KeyFileEnv: envFile}, want: envKey, from: KeyEnv},
		{name: "env file over config", src: KeySources{ConfigFile: cfgFile}, env: map[string]string{KeyFileEnv: envFile}, want: fileKey, from: envFile},
		{name: "config", src: KeySources{ConfigFile: cfgFile}, want: cfgKey, from: cfgFile},
		{name: "env key too short", env: map[string]string{KeyEnv: shortHex}, wantErr: []string{KeyEnv, "15 bytes", "at least 16"}},
		{name: "env key not hex", env: map[string]string{KeyEnv: "c2VjcmV0LWJ1dC1iYXNlNjQtbm90LWhleA=="}, wantErr: []string{KeyEnv, "hex"}},
		{name: "env file missing", env: map[string]string{KeyFileEnv: filepath.Join(dir, "typo.key")}, wantErr: []string{KeyFileEnv, "typo.key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.src.Getenv = env(tt.env)
			k, err := ResolveKey(tt.src)
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("ResolveKey = %s, want an error", k)
				}
				for _, s := range tt.wantErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("ResolveKey error %q, want it to contain %q", err, s)
					}
				}
				if v := tt.env[KeyEnv]; v != "" && strings.Contains(err.Error(), strings.TrimSpace(v)) {
					t.Errorf("ResolveKey error %q quotes the key", err)
				}
				return
			}
			if err != nil || !bytes.Equal(k.Bytes, tt.want) || k.From != tt.from || k.Created {
				t.Errorf("ResolveKey = %x from %q (created %v), %v; want %x from %q", k.Bytes, k.From, k.Created, err, tt.want, tt.from)
			}
			for _, out := range []string{k.String(), fmt.Sprintf("%v", k), fmt.Sprintf("%+v", k), fmt.Sprintf("%#v", k)} {
				if strings.Contains(out, hex.EncodeToString(k.Bytes)) || strings.Contains(out, fmt.Sprint(k.Bytes)) {
					t.Errorf("Key printed as %q: holds the key", out)
				}
			}
		})
	}

	// A missing file named by the flag is created, once, and said to be.
	path := filepath.Join(dir, "new", "fingerprint.key")
	k, err := ResolveKey(KeySources{File: path, Getenv: noEnv})
	if err != nil || !k.Created || k.From != path || len(k.Bytes) != KeySize {
		t.Fatalf("ResolveKey(new file) = %s, created %v, %v; want a new key at %s", k, k.Created, err, path)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("new key file: %v, %v; want mode 0600", st, err)
	}
	again, err := ResolveKey(KeySources{File: path, Getenv: noEnv})
	if err != nil || again.Created || !bytes.Equal(again.Bytes, k.Bytes) {
		t.Errorf("ResolveKey(existing) = created %v, %v; want the same key, not created", again.Created, err)
	}
	if _, err := ResolveKey(KeySources{Getenv: env(map[string]string{KeyFileEnv: filepath.Join(dir, "none")})}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ResolveKey(missing %s) = %v, want fs.ErrNotExist", KeyFileEnv, err)
	}
}
