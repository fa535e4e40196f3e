package main

import (
	"net/url"
	"testing"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/revoke/providers"
)

// TestRotateURLs: a detector's RotateURL, which the owner's email links, is an absolute https
// URL; and every detector whose provider verifies but cannot revoke has one, since the email
// about a live token patrol could not revoke must say where to rotate it.
func TestRotateURLs(t *testing.T) {
	t.Parallel()
	for _, d := range append(detectors.All(), detectors.Generic()...) {
		if d.RotateURL != "" {
			u, err := url.Parse(d.RotateURL)
			if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
				t.Errorf("%s: RotateURL %q is not an absolute https URL", d.ID, d.RotateURL)
			}
		}
		if d.Provider == "" {
			continue
		}
		c := providers.Capabilities(d.Provider)
		if !c.Verify {
			t.Errorf("%s: provider %q is not one patrol builds (providers.Names)", d.ID, d.Provider)
		}
		if c.Verify && !c.Revoke && d.RotateURL == "" {
			t.Errorf("%s: provider %q cannot revoke, so the detector needs a RotateURL for the owner's email", d.ID, d.Provider)
		}
	}
}
