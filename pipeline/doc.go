// Package pipeline takes each leaked token from detection to a final state: it verifies the
// token with its provider, revokes it when policy allows, confirms the revocation, and tells
// the owner, recording every step in the store so that a step can fail, be retried and resume
// after a crash without a new scan seeing the token again. It is the one package that joins
// scanner, revoke, notify and store (DESIGN.md, "The pipeline of one finding").
//
// The pipeline is store-driven and per finding. [Pipeline.Record] saves a scan's findings
// (and, in the same transaction, whatever the caller adds, such as serve's scan cursor).
// Every later step is a function of one stored finding, run in store transactions and moving
// it only along [lifecycle.Can], each move a compare-and-set on the state it observed:
//
//   - verify: detected, unknown, revoke_failed (and live, not_revoked, skipped or a dry run's
//     notified when there is something new to learn) → live | dead | unknown (retried with
//     backoff) | skipped (no provider);
//   - revoke: live and allowed by [Policy] → claim (live → revoking, held for a lease) and
//     its revoke_attempt audit row in one transaction, then the provider call outside any
//     transaction, then revocation_sent | revoke_failed (retried) | skipped with the result
//     row in the transaction of the move; live and not allowed → not_revoked;
//   - confirm: revocation_sent polls the provider until the token answers dead →
//     confirmed_dead, or unconfirmed after [Options.ConfirmWindow] (still polled, slower);
//   - recover: revoking whose lease expired (its worker died) is taken over once, verified
//     again, and finished under the same claim: one revocation call and one audit pair;
//   - notify: every move into a state with an event (revoked, not_revoked, skipped,
//     revoke_failed, unconfirmed) queues its messages in the same transaction; delivery
//     retries with backoff and never drops, and a finding becomes notified only when a
//     server accepted the message that completes its final event.
//
// [Pipeline.Step] runs the step of one finding that is due; [Pipeline.RunDue] is the retry
// worker over the store's due findings; [Pipeline.Drain] is a CLI run's loop over its own
// findings. A step that needs the raw token asks a [Rehydrator] ([Memory] for the current
// scan, [Rescan] for the repository or the code host's alert it lives in); the store never
// holds it. [Options.OnMove] lets the caller queue work in the transaction of each move. [ResultOf] and [Outcome] describe a stored finding for
// reports, without importing any report format.
//
// What it does not do: scan, read git objects (the caller's Rehydrator does), or take a
// process-wide lock: several Pipelines, in one process or many, may share a store, and its
// compare-and-set decides every race. Queued messages are in a versioned format
// (outbox.go) that later versions read.
//
// Invariants: no log line, audit row, stored field or message carries a raw token (findings
// are named by fingerprint and preview); a Pipeline is safe for concurrent use.
package pipeline
