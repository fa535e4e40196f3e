package pipeline

import "fmt"

// Policy decides whether a live token may be revoked.
type Policy struct {
	// Yes is --yes: revoke where the config does not forbid it.
	Yes bool
	// Allowed is the config's per-provider switch: allowed is `revoke: true`, explicit
	// whether `revoke:` was set at all. An explicit `revoke: false` wins over Yes. nil
	// means nothing is set for any provider.
	Allowed func(provider string) (allowed, explicit bool)
}

// Decide reports whether a live token of provider may be revoked and, when not, why.
func (pol Policy) Decide(provider string) (ok bool, reason string) {
	var allowed, explicit bool
	if pol.Allowed != nil {
		allowed, explicit = pol.Allowed(provider)
	}
	switch {
	case allowed:
		return true, ""
	case explicit:
		return false, fmt.Sprintf("revoke: false in config (providers.%s.revoke)", provider)
	case pol.Yes:
		return true, ""
	}
	return false, fmt.Sprintf("dry run: pass --yes or set providers.%s.revoke: true", provider)
}

// allows is Decide without the reason.
func (pol Policy) allows(provider string) bool {
	ok, _ := pol.Decide(provider)
	return ok
}
