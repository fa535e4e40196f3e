package store

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/patrolsec/patrol/lifecycle"
)

// maxText bounds free-text fields (reasons, errors, details): a provider's error page must
// not grow the database without bound.
const maxText = 4096

// maxPayload bounds a message payload; a rendered notification is a few kilobytes.
const maxPayload = 1 << 20

// clip cuts s to at most maxText bytes, on a rune boundary.
func clip(s string) string {
	if len(s) <= maxText {
		return s
	}
	i := maxText
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

// validFingerprint reports whether fp looks like secret.Fingerprint's output: lower-case hex,
// 16 to 128 digits. Anything else (a raw token above all) is refused.
func validFingerprint(fp string) bool {
	return len(fp) >= 16 && len(fp) <= 128 && lowerHex(fp)
}

// fpText returns fp for error text: itself when it is a valid fingerprint, else only its
// length, since what a caller passed by mistake as a fingerprint may be the raw token.
func fpText(fp string) string {
	if validFingerprint(fp) {
		return fp
	}
	return fmt.Sprintf("(invalid fingerprint of %d bytes)", len(fp))
}

// validObjectID reports whether id is a git object id: 40 (SHA-1) or 64 (SHA-256) lower-case
// hex digits.
func validObjectID(id string) bool {
	return (len(id) == 40 || len(id) == 64) && lowerHex(id)
}

// lowerHex reports whether s is made of lower-case hex digits only.
func lowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// validState reports whether st is a lower-case word of at most 32 bytes.
func validState(st State) bool {
	if len(st) == 0 || len(st) > 32 || st[0] < 'a' || st[0] > 'z' {
		return false
	}
	for i := 1; i < len(st); i++ {
		c := st[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// validateFinding checks the identity fields SaveFinding stores.
func validateFinding(f Finding) error {
	switch {
	case !validFingerprint(f.Fingerprint):
		return fmt.Errorf("fingerprint must be 16 to 128 lower-case hex digits (secret.Fingerprint): %w", ErrInvalid)
	case f.DetectorID == "":
		return fmt.Errorf("empty detector id: %w", ErrInvalid)
	case f.Redacted != "" && !strings.HasSuffix(f.Redacted, "…"):
		// secret.Preview always ends in "…"; a value that does not may be the raw token.
		return fmt.Errorf("redacted preview must end in \"…\" (secret.Preview): %w", ErrInvalid)
	case len(f.Redacted) > 256 || len(f.DetectorID) > 128 || len(f.Provider) > 128 || len(f.Confidence) > 64:
		return fmt.Errorf("identity field too long: %w", ErrInvalid)
	}
	for i, l := range f.Locations {
		if err := validateLocation(l); err != nil {
			return fmt.Errorf("location %d (%s:%d): %w", i, l.Path, l.Line, err)
		}
	}
	return nil
}

// Location kinds and encodings the store accepts (Location.Kind, Location.Encoding).
var (
	locationKinds     = []string{"", "commit-message", "tag-message", KindSecretScanningAlert}
	locationEncodings = []string{"", "base64", "url"}
)

// validateLocation checks the fields of a location that say where a token's bytes are: none
// of them may be able to carry the token itself.
func validateLocation(l Location) error {
	switch {
	case !slices.Contains(locationKinds, l.Kind):
		return fmt.Errorf("kind %q (want empty, commit-message, tag-message or %s): %w", l.Kind, KindSecretScanningAlert, ErrInvalid)
	case l.Kind == KindSecretScanningAlert && l.Alert <= 0:
		return fmt.Errorf("a %s location needs the alert's number: %w", KindSecretScanningAlert, ErrInvalid)
	case l.Kind != KindSecretScanningAlert && l.Alert != 0:
		return fmt.Errorf("alert number %d on a %q location (only %s has one): %w", l.Alert, l.Kind, KindSecretScanningAlert, ErrInvalid)
	case !slices.Contains(locationEncodings, l.Encoding):
		return fmt.Errorf("encoding %q (want empty, base64 or url): %w", l.Encoding, ErrInvalid)
	case l.Blob != "" && !validObjectID(l.Blob):
		return fmt.Errorf("blob id must be 40 or 64 lower-case hex digits or empty: %w", ErrInvalid)
	case l.Offset < 0 || l.Length < 0:
		return fmt.Errorf("byte span at %d of length %d: offset and length must be >= 0: %w", l.Offset, l.Length, ErrInvalid)
	case hasCredentials(l.Repository) || hasCredentials(l.WebURL):
		return fmt.Errorf("repository or web URL carries credentials; strip its user info first: %w", ErrInvalid)
	}
	return nil
}

// validateTransition checks the arguments of Transition.
func validateTransition(from []State, to State, upd Update) error {
	if len(from) == 0 {
		return fmt.Errorf("no from states: %w", ErrInvalid)
	}
	for _, st := range append([]State{to}, from...) {
		if !validState(st) {
			return fmt.Errorf("state %q is not a lower-case word of at most 32 bytes: %w", st, ErrInvalid)
		}
	}
	if v := upd.Verify; v != nil {
		switch *v {
		case "", lifecycle.VerdictLive, lifecycle.VerdictDead, lifecycle.VerdictUnknown:
		default:
			return fmt.Errorf("verify %q (want live, dead, unknown or empty): %w", *v, ErrInvalid)
		}
	}
	if r := upd.Revocation; r != nil {
		switch *r {
		case "", lifecycle.OutcomeRevoked, lifecycle.OutcomeSent, lifecycle.OutcomeFailed, lifecycle.OutcomeSkipped, lifecycle.OutcomeDryRun:
		default:
			return fmt.Errorf("revocation %q (want revoked, revocation_sent, failed, skipped, dry_run or empty): %w", *r, ErrInvalid)
		}
	}
	if upd.Attempts != nil && *upd.Attempts < 0 {
		return fmt.Errorf("attempts %d < 0: %w", *upd.Attempts, ErrInvalid)
	}
	if upd.IfAttempts != nil && *upd.IfAttempts < 0 {
		return fmt.Errorf("if attempts %d < 0: %w", *upd.IfAttempts, ErrInvalid)
	}
	return nil
}

// validateQuery checks the states of a Findings query.
func validateQuery(q Query) error {
	for _, st := range append([]State{q.State}, q.States...) {
		if st != "" && !validState(st) {
			return fmt.Errorf("state %q is not a lower-case word of at most 32 bytes: %w", st, ErrInvalid)
		}
	}
	return nil
}

// validateMessage checks a message for Enqueue.
func validateMessage(m Message) error {
	switch {
	case !validFingerprint(m.Fingerprint):
		return fmt.Errorf("fingerprint must be 16 to 128 lower-case hex digits (secret.Fingerprint): %w", ErrInvalid)
	case m.Recipient == "" || m.Event == "" || m.Channel == "":
		return fmt.Errorf("recipient, event and channel are required: %w", ErrInvalid)
	case len(m.Recipient) > 512 || len(m.Event) > 64 || len(m.Channel) > 64:
		return fmt.Errorf("recipient, event or channel too long: %w", ErrInvalid)
	case len(m.Payload) > maxPayload:
		return fmt.Errorf("payload of %d bytes exceeds %d: %w", len(m.Payload), maxPayload, ErrInvalid)
	case !json.Valid(m.Payload):
		return fmt.Errorf("payload is not JSON: %w", ErrInvalid)
	}
	return nil
}

// maxRepository bounds a repository key (a URL or a path).
const maxRepository = 4096

// validateRepository checks a repository key: not empty, bounded, and no URL that carries
// credentials (a token in the user info of an https URL is how a clone URL leaks one).
func validateRepository(repo string) error {
	switch {
	case repo == "":
		return fmt.Errorf("empty repository: %w", ErrInvalid)
	case len(repo) > maxRepository:
		return fmt.Errorf("repository of %d bytes exceeds %d: %w", len(repo), maxRepository, ErrInvalid)
	case hasCredentials(repo):
		return fmt.Errorf("repository URL carries credentials; strip its user info first: %w", ErrInvalid)
	}
	return nil
}

// hasCredentials reports whether repo is a URL with a password, or an http(s) URL with any
// user info (tokens are often sent as the user name there).
func hasCredentials(repo string) bool {
	u, err := url.Parse(repo)
	if err != nil || u.User == nil {
		return false
	}
	if _, ok := u.User.Password(); ok {
		return true
	}
	return u.Scheme == "http" || u.Scheme == "https"
}

// validateCursor checks a cursor for SaveCursor: every ref maps to a commit id.
func validateCursor(c Cursor) error {
	if err := validateRepository(c.Repository); err != nil {
		return err
	}
	for ref, commit := range c.Refs {
		switch {
		case ref == "" || len(ref) > 1024 || strings.ContainsAny(ref, "\x00\n"):
			return fmt.Errorf("ref name %q: must be 1 to 1024 bytes without NUL or newline: %w", clip(ref), ErrInvalid)
		case !validObjectID(commit):
			return fmt.Errorf("ref %s: commit id must be 40 or 64 lower-case hex digits: %w", ref, ErrInvalid)
		}
	}
	return nil
}

// validateBlobs checks the arguments of MarkScanned and Scanned.
func validateBlobs(repository string, blobs []string) error {
	if err := validateRepository(repository); err != nil {
		return err
	}
	for i, b := range blobs {
		if !validObjectID(b) {
			return fmt.Errorf("blob %d: id must be 40 or 64 lower-case hex digits: %w", i, ErrInvalid)
		}
	}
	return nil
}

// validateDelivery checks a webhook delivery's source and id.
func validateDelivery(source, id string) error {
	switch {
	case source == "" || len(source) > 64:
		return fmt.Errorf("source %q: must be 1 to 64 bytes: %w", clip(source), ErrInvalid)
	case id == "" || len(id) > 256:
		return fmt.Errorf("%s delivery id of %d bytes: must be 1 to 256: %w", source, len(id), ErrInvalid)
	}
	return nil
}
