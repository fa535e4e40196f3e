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

// DefaultKeyPath returns where patrol keeps the fingerprint key when none is configured:
// $XDG_CONFIG_HOME/patrol/fingerprint.key (os.UserConfigDir), e.g. ~/.config/patrol/fingerprint.key.
func DefaultKeyPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("locate user config dir: %w", err)
	}
	return filepath.Join(dir, "patrol", "fingerprint.key"), nil
}

// LoadOrCreateKey reads a fingerprint key file (hex, surrounding whitespace ignored). When the
// file does not exist and create is true it writes a new random key with mode 0600, creating
// the directory with mode 0700.
func LoadOrCreateKey(path string, create bool) ([]byte, error) {
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		key, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil {
			return nil, fmt.Errorf("fingerprint key %s: not hex: %w", path, err)
		}
		if len(key) < 16 {
			return nil, fmt.Errorf("fingerprint key %s: %d bytes, want at least 16", path, len(key))
		}
		return key, nil
	case errors.Is(err, fs.ErrNotExist) && create:
	default:
		return nil, fmt.Errorf("fingerprint key: %w", err)
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("fingerprint key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("fingerprint key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) { // another process won the race: use its key
		return LoadOrCreateKey(path, false)
	}
	if err != nil {
		return nil, fmt.Errorf("fingerprint key: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("fingerprint key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("fingerprint key %s: %w", path, err)
	}
	return key, nil
}
