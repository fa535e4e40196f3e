// Package providers builds the revoke providers from the providers section of patrol.yaml and
// answers the per-provider revoke policy.
//
// [New] returns every provider, keyed by the names scanner.Finding.Provider uses
// ("azuredevops", "github", "gitlab", "slack", "npm", and the issuers of
// [github.com/patrolsec/patrol/revoke/whoami]: "huggingface", "doppler", "buildkite" …, see
// [Names]); [Capabilities] says which of them only verify. A provider whose section is absent runs
// against its cloud default with no revoke policy of its own. Azure DevOps without a section
// verifies only against organizations named by the finding's repository URL or nearby text,
// and cannot revoke (no admin token).
//
// [Config.RevokePolicy] is the config half of the revoke policy: revoke: true allows
// revocation without --yes, an explicit revoke: false forbids it even with --yes, and no
// revoke key leaves it to --yes, which the pipeline applies. [Config.ConfirmTimeout] says how
// long the pipeline's confirm step should keep calling Verify after a provider accepted a
// revocation (Azure DevOps documents up to an hour before a revoked PAT fails).
//
// Decoding and ${VAR} expansion happen in the config loader; this package only declares the
// yaml tags and validates.
package providers
