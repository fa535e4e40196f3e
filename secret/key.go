package secret

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the size in bytes of a fingerprint key patrol creates.
const KeySize = 32

// MinKeySize is the smallest fingerprint key patrol accepts, in bytes.
const MinKeySize = 16

// The environment variables that give the fingerprint key, for CI runners and containers
// that must agree with a team's key: the key itself in hex (as `openssl rand -hex 32` prints
// it, and as key files hold it), or the path of a key file (a mounted secret).
const (
	KeyEnv     = "PATROL_FINGERPRINT_KEY"
	KeyFileEnv = "PATROL_FINGERPRINT_KEY_FILE"
)

// DefaultKeyPath returns where patrol keeps the fingerprint key when none is configured:
// $XDG_CONFIG_HOME/patrol/fingerprint.key (os.UserConfigDir), e.g. ~/.config/patrol/fingerprint.key.
func DefaultKeyPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("locate user config dir: %w", err)
	}
	return filepath.Join(dir, "patrol", "fingerprint.key"), nil
}

// KeySources are the places a fingerprint key may come from. ResolveKey takes the first that
// is set: File, then KeyEnv, then KeyFileEnv, then ConfigFile, then DefaultKeyPath.
type KeySources struct {
	// File is a key file named on the command line (--fingerprint-key-file); created when
	// missing.
	File string
	// ConfigFile is the config's fingerprint_key_file; created when missing.
	ConfigFile string
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
}

// Key is a fingerprint key and where it came from. It never prints its bytes.
type Key struct {
	// Bytes is the HMAC key.
	Bytes []byte
	// From is KeyEnv, or the path of the key file.
	From string
	// Created says this call created the key file at From: a new key, whose fingerprints
	// match no earlier baseline, .patrolignore line or code-scanning alert.
	Created bool
}

// String describes k without its bytes.
func (k Key) String() string { return fmt.Sprintf("fingerprint key from %s", k.From) }

// GoString is String, for %#v.
func (k Key) GoString() string { return k.String() }

// Format prints String for every verb, so that no verb prints the bytes.
func (k Key) Format(f fmt.State, _ rune) { fmt.Fprint(f, k.String()) }

// ResolveKey returns the fingerprint key of the first source that is set (see KeySources).
// A key file named by File, ConfigFile or the default path is created, with a new random key,
// when missing (Key.Created); one named by KeyFileEnv must exist, since a CI job that quietly
// made its own key would fingerprint differently from the team. Errors name the variable or
// file and never hold the key.
func ResolveKey(s KeySources) (Key, error) {
	getenv := s.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	switch {
	case s.File != "":
		return loadOrCreate(s.File, true)
	case strings.TrimSpace(getenv(KeyEnv)) != "":
		b, err := ParseKey(getenv(KeyEnv))
		if err != nil {
			return Key{}, fmt.Errorf("fingerprint key %s: %w", KeyEnv, err)
		}
		return Key{Bytes: b, From: KeyEnv}, nil
	case getenv(KeyFileEnv) != "":
		k, err := loadOrCreate(getenv(KeyFileEnv), false)
		if err != nil {
			return Key{}, fmt.Errorf("%s: %w", KeyFileEnv, err)
		}
		return k, nil
	case s.ConfigFile != "":
		return loadOrCreate(s.ConfigFile, true)
	}
	def, err := DefaultKeyPath()
	if err != nil {
		return Key{}, err
	}
	return loadOrCreate(def, true)
}

// ParseKey decodes a fingerprint key written in hex (surrounding whitespace ignored) and
// checks that it has at least MinKeySize bytes. Errors never quote the text.
func ParseKey(text string) ([]byte, error) {
	key, err := hex.DecodeString(strings.TrimSpace(text))
	if err != nil {
		return nil, errors.New("not hex (write the key as hex, e.g. the output of openssl rand -hex 32)")
	}
	if len(key) < MinKeySize {
		return nil, fmt.Errorf("%d bytes, want at least %d", len(key), MinKeySize)
	}
	return key, nil
}

// LoadOrCreateKey reads a fingerprint key file (hex, surrounding whitespace ignored). When the
// file does not exist and create is true it writes a new random key with mode 0600, creating
// the directory with mode 0700.
func LoadOrCreateKey(path string, create bool) ([]byte, error) {
	k, err := loadOrCreate(path, create)
	return k.Bytes, err
}

// loadOrCreate reads the key file at path or, when it is missing and create is set, creates
// it atomically: the key is written and synced to a temporary file in the same directory,
// which is then hard-linked to path. The link fails when path exists, so of processes that
// start together exactly one creates the key and the others read that key, whole: no
// process ever sees a partly written file.
func loadOrCreate(path string, create bool) (Key, error) {
	k, err := readKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) || !create {
		return k, err
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return Key{}, fmt.Errorf("fingerprint key: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Key{}, fmt.Errorf("fingerprint key: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".fingerprint.key-*")
	if err != nil {
		return Key{}, fmt.Errorf("fingerprint key %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.WriteString(hex.EncodeToString(key) + "\n")
	if werr == nil {
		werr = tmp.Chmod(0o600)
	}
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return Key{}, fmt.Errorf("fingerprint key %s: %w", path, werr)
	}
	err = os.Link(tmp.Name(), path)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		// A file system without hard links: create the file exclusively instead, which
		// still makes one process the creator.
		err = createExclusive(path, key)
	}
	if errors.Is(err, fs.ErrExist) { // another process won the race: use its key
		return readKey(path)
	}
	if err != nil {
		return Key{}, fmt.Errorf("fingerprint key %s: %w", path, err)
	}
	return Key{Bytes: key, From: path, Created: true}, nil
}

// createExclusive writes key to a new file at path, failing with fs.ErrExist when it exists.
func createExclusive(path string, key []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteString(hex.EncodeToString(key) + "\n")
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// readKey reads and parses the key file at path.
func readKey(path string) (Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Key{}, fmt.Errorf("fingerprint key: %w", err)
	}
	key, err := ParseKey(string(b))
	if err != nil {
		return Key{}, fmt.Errorf("fingerprint key %s: %w", path, err)
	}
	return Key{Bytes: key, From: path}, nil
}
