package pipeline

import "errors"

// Sentinels matched with errors.Is.

// ErrPayload: a queued message's payload cannot be read by this patrol (not JSON, or a
// format version newer than it knows). Deliver records the message as failed for good with
// this reason; no retry can help, an upgrade can.
var ErrPayload = errors.New("unreadable outbox payload")

// ErrNoToken: Memory holds no token for the finding and has no Next to ask. Returned by
// Memory.Rehydrate; the step that asked is retried later.
var ErrNoToken = errors.New("token not held in memory")
