// Package pipeline joins the scanner's findings to the revoke providers: it verifies each
// unique secret once, revokes what policy allows, and records what it did for the report and
// the audit log.
//
// [Pipeline.Verify] asks the provider a finding names, one request per unique fingerprint
// (cached for the Pipeline's life, and shared between concurrent callers).
// [Pipeline.Revoke] then acts on live tokens only, once per fingerprint, and only when the
// [Policy] allows it (--yes, or revoke: true for that provider); otherwise the result is a
// dry run with the reason. Every revoke attempt is written to the [Auditor] before and after.
// [Entries] converts results to report entries.
//
// What it does not do: scan, persist state across runs, or notify owners; the durable
// service pipeline plugs its store in through [Auditor].
//
// Invariants: no log line, reason or audit event carries a token (findings log by
// fingerprint); a Pipeline is safe for concurrent use.
package pipeline
