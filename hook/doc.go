// Package hook puts patrol in front of git commit and git push on a developer's machine.
//
// It writes and removes the hook scripts ([Install], [Uninstall], [Script]), works out which
// commits a push sends that the remote lacks ([ParseUpdates], [Range]), and words the refusal
// a developer reads when a commit or push adds a token ([WriteBlocked]). Scanning itself is
// the scanner packages': package scanner/scan composes it (the staged changes are a
// scanner/git StagedSource, pushed commits a GitSource with GitOptions.Exclude).
//
// Invariants: a hook script patrol writes holds [Marker], and Install never overwrites one
// that does not (it refuses, or with Force keeps the old hook and runs it first); the
// refusal text carries redacted previews and fingerprints, never a raw token; the scripts
// call patrol by the absolute path given at install time and rely on neither PATH nor an
// interactive shell, so they run the same from GUI clients and in linked worktrees.
package hook
