// Package alerts reads the secret-scanning alerts a code host already raised, and resolves
// them, so that patrol serve can take each alert's token through the same pipeline as a
// token its own scan found (verify, revoke, confirm, tell the owner) and then close the alert.
//
// [GitHub] is the client of one GitHub target's alerts: [GitHub.ListOpen] (every page of the
// open alerts of an organization, or of each repository of a user), [GitHub.Get] (one alert,
// with its secret), [GitHub.FirstCommit] (where the host first saw it) and [GitHub.Resolve]
// (state resolved, resolution revoked, with a comment). It sends every call through the
// targets package's GitHub client (service/targets.GitHubAPI): one HTTP discipline and one
// retry policy (Retry-After, rate-limit resets) for every call patrol makes to GitHub.
//
// [Classifier] names the detector and fingerprint of an alert's secret exactly as patrol's
// own scan would (it runs the scan's detectors over the value), so that a token both found by
// a scan and raised as an alert is one finding; when no detector matches the value, the
// alert's secret type names the detector (types.go), and a type patrol does not know is
// reported as such ([Classifier.Classify] returns false).
//
// What it does not do: store anything, queue jobs or write the audit log (the service does,
// around each call), or act on Azure DevOps Advanced Security alerts: their documented API
// returns only a truncated secret (README, "Act on GitHub's secret-scanning alerts").
//
// Invariants: an alert's secret is decoded straight into a [secret.Token] and lives only as
// long as the caller keeps the [Alert]; no error, log line or field of this package carries
// it. Clients are safe for concurrent use.
package alerts
