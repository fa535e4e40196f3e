// Package providers builds the revoke providers from the providers section of patrol.yaml and
// answers the per-provider revoke policy.
//
// [New] returns every provider, keyed by the names scanner.Finding.Provider uses
// ("azuredevops", "github", "gitlab", "slack", "npm"); a provider whose section is absent runs
// against its cloud default with revoke off. Azure DevOps without a section verifies only
// against organizations named by the finding's repository URL or nearby text, and cannot
// revoke (no admin token). [Config.RevokeAllowed] is the config half of the policy; --yes is
// the other, applied by the pipeline.
//
// Decoding and ${VAR} expansion happen in the config loader; this package only declares the
// yaml tags and validates.
package providers
