// Package gitlab verifies and revokes GitLab personal access tokens with the token itself:
// GET /api/v4/personal_access_tokens/self (GitLab ≥ 15.5) and GET /api/v4/user for the owner,
// DELETE /api/v4/personal_access_tokens/self to revoke (any scope since GitLab 15.4).
//
// It serves gitlab.com and self-managed instances (base URL https://gitlab.example.com/, or
// with a relative root such as https://example.com/gitlab/).
//
// Revoke returns when GitLab accepted the revocation (204). GitLab documents no delay before a
// revoked token fails; the pipeline confirms with Verify ([DefaultConfirmTimeout]).
package gitlab
