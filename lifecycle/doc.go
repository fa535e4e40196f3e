// Package lifecycle defines, once, the words of a finding's pipeline: the verdict of a live
// check ([Verdict]), what was done about a token ([Outcome]), and the states a stored finding
// moves through ([State]), with the one table of transitions that exist ([Can]).
//
// Every other package spells these words through this one: revoke's verification statuses are
// [Verdict]s, the store keeps [State]s and compares-and-sets them, the pipeline moves findings
// only along [Can], and reports print [Outcome]s. Each word means one thing everywhere:
// "revoked" is only ever an [Outcome] (revoked by patrol and confirmed dead); a revocation the
// provider accepted but has not yet confirmed is [StateRevocationSent] / [OutcomeSent].
//
// The package imports nothing of patrol's and holds no state.
package lifecycle
