package store

import (
	"fmt"
	"slices"
	"time"
)

// This file holds what both drivers compute the same way before they write SQL: the times
// SaveFinding and Enqueue fill in, the columns an Update sets, and the text of a lost
// compare-and-set.

// saveTimes returns the FirstSeen and LastSeen SaveFinding stores for f at now: LastSeen
// falls back to FirstSeen and then to now, FirstSeen to LastSeen.
func saveTimes(f Finding, now time.Time) (first, seen time.Time) {
	seen = f.LastSeen
	if seen.IsZero() {
		seen = f.FirstSeen
	}
	if seen.IsZero() {
		seen = now
	}
	first = f.FirstSeen
	if first.IsZero() {
		first = seen
	}
	return first, seen
}

// enqueueTimes returns the CreatedAt and NextAttempt Enqueue stores for m at now: a zero
// CreatedAt is now, a zero NextAttempt is CreatedAt.
func enqueueTimes(m Message, now time.Time) (created, next time.Time) {
	created = m.CreatedAt
	if created.IsZero() {
		created = now
	}
	next = m.NextAttempt
	if next.IsZero() {
		next = created
	}
	return created, next
}

// updateColumns returns the columns upd sets besides state, updated_at and next_attempt
// (whose stored form differs per driver), with their values, text clipped.
func updateColumns(upd Update) (cols []string, vals []any) {
	for _, c := range []struct {
		col string
		v   *string
	}{
		{"verify", (*string)(upd.Verify)}, {"owner_id", upd.OwnerID}, {"owner_name", upd.OwnerName},
		{"owner_email", upd.OwnerEmail}, {"org", upd.Org}, {"revocation", (*string)(upd.Revocation)},
		{"revocation_reason", upd.RevocationReason},
	} {
		if c.v != nil {
			cols, vals = append(cols, c.col), append(vals, clip(*c.v))
		}
	}
	if upd.Attempts != nil {
		cols, vals = append(cols, "attempts"), append(vals, *upd.Attempts)
	}
	return cols, vals
}

// transitionConflict is the ErrConflict of a Transition that matched no row while the
// finding is in state cur with attempts.
func transitionConflict(cur State, attempts int, from []State, upd Update) error {
	if upd.IfAttempts != nil && slices.Contains(from, cur) {
		return fmt.Errorf("attempts is %d, not %d: %w", attempts, *upd.IfAttempts, ErrConflict)
	}
	return fmt.Errorf("state is %s, not one of %v: %w", cur, from, ErrConflict)
}

// messageConflict is the ErrConflict of a message update that matched no row while the
// message is m; want says what it had to be ("claimable", "claimed").
func messageConflict(m Message, want string) error {
	return fmt.Errorf("status %s (attempts %d, next attempt %s), not %s: %w",
		m.Status, m.Attempts, m.NextAttempt.Format(time.RFC3339), want, ErrConflict)
}
