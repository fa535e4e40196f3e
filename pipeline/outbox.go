package pipeline

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/patrolsec/patrol/notify"
)

// payloadVersion is the version of the outbox payload this patrol writes.
const payloadVersion = 1

// payload is a queued message as stored in the outbox, format version 1. The format is
// frozen: a queued message must read the same after an upgrade, so it has its own JSON names
// here instead of notify.Leak's (renaming a Leak field changes nothing queued). Rules for a
// change: a new field gets omitempty and old readers ignore it; anything an old reader
// would misread is a new version, and readPayload keeps reading every older one.
//
// Version 0 is the unversioned notify.Leak JSON that patrol queued before versioning; its
// names are the same as version 1's, without v, event, role and primary.
type payload struct {
	V int `json:"v"`
	// Event is the finding's event the message is about (EventRevoked …).
	Event string `json:"event,omitempty"`
	// Role is whom the message is for: "owner", "security" or "webhook".
	Role string `json:"role,omitempty"`
	// Primary marks the message whose acceptance by a server completes a final event's
	// notification (the owner's, or the security team's when there is no owner address, or
	// the webhook's when there is no email at all).
	Primary bool `json:"primary,omitempty"`

	Detector      string    `json:"detector"`
	Provider      string    `json:"provider,omitempty"`
	TokenKind     string    `json:"token_kind,omitempty"`
	Redacted      string    `json:"redacted"`
	Fingerprint   string    `json:"fingerprint"`
	Repository    string    `json:"repository,omitempty"`
	Commit        string    `json:"commit,omitempty"`
	Path          string    `json:"path,omitempty"`
	Line          int       `json:"line,omitempty"`
	CommitURL     string    `json:"commit_url,omitempty"`
	FoundAt       time.Time `json:"found_at"`
	Action        string    `json:"action,omitempty"`
	ActionAt      time.Time `json:"action_at"`
	ActionReason  string    `json:"action_reason,omitempty"`
	OwnerName     string    `json:"owner_name,omitempty"`
	OwnerEmail    string    `json:"owner_email,omitempty"`
	ProbableOwner bool      `json:"probable_owner,omitempty"`
	Contact       string    `json:"contact,omitempty"`
	// RotateURL is the detector's page on rotating the token (added in place in version 1:
	// older readers ignore it, older payloads lack it).
	RotateURL string `json:"rotate_url,omitempty"`
}

// Roles of a message.
const (
	roleOwner    = "owner"
	roleSecurity = "security"
	roleWebhook  = "webhook"
)

// readPayload decodes a stored payload of any version this patrol knows. Its errors match
// ErrPayload: the message can never be sent by this patrol.
func readPayload(b []byte) (payload, error) {
	var head struct {
		V *int `json:"v"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return payload{}, fmt.Errorf("%w: %v", ErrPayload, err)
	}
	v := 0
	if head.V != nil {
		v = *head.V
	}
	switch v {
	case 0, 1:
		var pl payload
		if err := json.Unmarshal(b, &pl); err != nil {
			return payload{}, fmt.Errorf("%w: version %d: %v", ErrPayload, v, err)
		}
		return pl, nil
	}
	return payload{}, fmt.Errorf("%w: version %d is newer than this patrol reads (0 and 1); upgrade patrol to send it", ErrPayload, v)
}

// leak is the message data notify renders.
func (pl payload) leak() notify.Leak {
	return notify.Leak{Detector: pl.Detector, Provider: pl.Provider, TokenKind: pl.TokenKind, Redacted: pl.Redacted,
		Fingerprint: pl.Fingerprint, Repository: pl.Repository, Commit: pl.Commit, Path: pl.Path, Line: pl.Line,
		CommitURL: pl.CommitURL, FoundAt: pl.FoundAt, Action: pl.Action, ActionAt: pl.ActionAt,
		ActionReason: pl.ActionReason, OwnerName: pl.OwnerName, OwnerEmail: pl.OwnerEmail,
		ProbableOwner: pl.ProbableOwner, Contact: pl.Contact, RotateURL: pl.RotateURL}
}
