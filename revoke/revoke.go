package revoke

import (
	"context"
	"errors"
	"time"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/secret"
)

// Provider verifies and revokes the tokens of one issuer.
type Provider interface {
	// Name is the provider's key, as in scanner.Finding.Provider and the config
	// ("azuredevops", "github", "gitlab", "slack", "npm", "huggingface", …).
	Name() string
	// Verify asks the provider whether tok is live and whose it is. It returns StatusLive or
	// StatusDead with a nil error, or StatusUnknown with the error that kept it from deciding.
	Verify(ctx context.Context, tok secret.Token, h Hints) (Verification, error)
	// Revoke asks the provider to revoke tok, whose live Verification v came from Verify, and
	// returns nil as soon as the provider accepted the revocation: its documented success
	// answer (Azure DevOps 204, GitHub 202, GitLab 204, Slack ok with revoked true, npm 2xx),
	// or, where the token authenticates its own revocation (GitLab, Slack, npm), the "bad
	// credentials" answer that says it no longer does. Revoke never polls: a provider may keep
	// a revoked token working for a while (Azure DevOps documents up to an hour), and
	// confirming that the token is dead is the caller's
	// own scheduled step, which calls Verify until it reports StatusDead; each provider's
	// package doc says how long it documents.
	//
	// Revoke returns ErrNotLive for a v that is not live, ErrNotSupported when the provider
	// cannot revoke this token (or is not configured to), ErrNoMatch or ErrAmbiguous when it
	// cannot tell which of the owner's tokens is the leaked one, and an *APIError when the
	// call failed (ErrRateLimited with RetryAfter, ErrServer, ErrTimeout, ErrUnauthorized for
	// an admin credential that was refused, ErrUnexpected for an answer off the contract).
	Revoke(ctx context.Context, tok secret.Token, v Verification) error
}

// BatchRevoker is implemented by providers that revoke many tokens in one call (GitHub's
// credentials/revoke takes up to 1000 and allows 60 calls an hour). errs[i] is the outcome of
// targets[i], with the meaning of Provider.Revoke.
type BatchRevoker interface {
	RevokeBatch(ctx context.Context, targets []Target) (errs []error)
}

// DetailedRevoker is implemented by providers whose revocation needs explaining (Azure DevOps
// picks among the owner's PATs): RevokeDetail is Revoke that also returns, on success, what was
// revoked and why.
type DetailedRevoker interface {
	RevokeDetail(ctx context.Context, tok secret.Token, v Verification) (detail string, err error)
}

// Unrevocable is implemented by providers that know, without a call, that they revoke no
// token at all (issuers that document no self-revoke, package whoami). RevokeUnsupported
// returns the ErrNotSupported error Revoke would give every token, or nil when the provider
// does revoke. The pipeline then skips the revocation before any claim, whatever the policy,
// and tells the owner why instead of calling it a dry run.
type Unrevocable interface {
	RevokeUnsupported() error
}

// Target is one token to revoke with its live verification.
type Target struct {
	Token        secret.Token
	Verification Verification
}

// Hints tell a provider where a token was found. Only Azure DevOps uses them today: its PATs are
// checked per organization, and the org is often named by the repository URL or nearby text.
type Hints struct {
	// Repository is the remote URL (or path) of the repository holding the finding.
	Repository string
	// Text is text near the match; URLs in it may name an organization.
	Text string
}

// Status is the verdict of a live check, defined once in package lifecycle.
type Status = lifecycle.Verdict

// Statuses: the lifecycle verdicts under the names provider code reads best.
const (
	StatusLive    = lifecycle.VerdictLive
	StatusDead    = lifecycle.VerdictDead
	StatusUnknown = lifecycle.VerdictUnknown
)

// Verification is the result of Provider.Verify.
type Verification struct {
	Status Status
	// Identity is the owner; filled for StatusLive, as far as the API tells.
	Identity Identity
	// CheckedAt is when the provider answered.
	CheckedAt time.Time
}

// Identity is the owner of a live token, as far as the provider's API tells.
type Identity struct {
	// ID is the provider's stable user id (GitHub/GitLab numeric id, Azure DevOps VSID, Slack
	// user id).
	ID string
	// Login is the user name (GitHub login, GitLab username, Azure DevOps UPN, Slack user).
	Login string
	// Name is the display name.
	Name string
	// Email is the owner's e-mail when the API gives it.
	Email string
	// Org is the organization or team (Azure DevOps org, Slack team); OrgID its id (Azure
	// DevOps instanceId, Slack team_id).
	Org   string
	OrgID string
	// Tenant is the Entra tenant (Azure DevOps) or Slack enterprise id.
	Tenant string
	// Descriptor is the Azure DevOps subject descriptor that the token admin API takes.
	Descriptor string
	// Expires is when the token expires, if the API says (zero otherwise).
	Expires time.Time
	// Scopes are the token's scopes, if the API says.
	Scopes []string
}

// StatusOf maps the error of a live check to a Status: nil is live, the provider's "bad
// credentials" (ErrUnauthorized) is dead, anything else unknown.
func StatusOf(err error) Status {
	switch {
	case err == nil:
		return StatusLive
	case errors.Is(err, ErrUnauthorized):
		return StatusDead
	}
	return StatusUnknown
}
