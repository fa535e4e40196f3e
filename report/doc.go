// Package report renders findings for people and for tools: plain text, JSON, JSON Lines and
// SARIF 2.1.0.
//
// [Write] takes [Entry] values, each a [scanner.Finding] plus what the pipeline learned about it
// (a [Verification], a [Revocation]), and writes them in one [Format]. The package does no
// scanning, verification or I/O beyond the io.Writer it is given, and prints no summary: the
// CLI owns stderr.
//
// Invariants:
//   - Redaction: the raw secret appears only when [Options].ShowSecrets is set (the "secret"
//     field of JSON and JSON Lines, a "secret" line in text, properties.secret in SARIF). It
//     never appears in a SARIF message, which code-scanning dashboards show to everyone.
//   - The JSON shape is a contract for other tools and is pinned in json.go by explicit wire
//     structs, not by scanner.Finding's own tags; [Entry] marshals to the same shape, redacted.
//   - Output is deterministic: Write sorts entries by repository, path, line, column, detector,
//     fingerprint and commit, so it does not depend on the order a concurrent scan produced.
//   - Write renders into memory and writes once, so a rendering error leaves w untouched.
//
// Write keeps no state and does not modify its arguments, so concurrent calls with different
// writers are safe.
package report
