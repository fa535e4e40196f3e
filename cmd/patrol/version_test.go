package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

// TestResolveVersion: -ldflags wins; without it, go install's module version, then the VCS
// revision a checkout build records; "dev" only when the build says nothing.
func TestResolveVersion(t *testing.T) {
	t.Parallel()
	const sha = "0123456789abcdef0123456789abcdef01234567"
	info := func(v string, settings ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/patrolsec/patrol", Version: v}}
		for i := 0; i+1 < len(settings); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return bi
	}
	tests := []struct {
		name    string
		ldflags string
		info    *debug.BuildInfo
		want    string
	}{
		{"ldflags", "v1.2.3", info("v0.9.0"), "v1.2.3"},
		{"go install module@version", "", info("v0.4.0"), "v0.4.0"},
		{"go install of a commit", "", info("v0.0.0-20261201120000-0123456789ab"), "v0.0.0-20261201120000-0123456789ab"},
		{"checkout build, clean", "", info("(devel)", "vcs.revision", sha, "vcs.modified", "false"), "dev-0123456789ab"},
		{"checkout build, dirty", "", info("(devel)", "vcs.revision", sha, "vcs.modified", "true"), "dev-0123456789ab-dirty"},
		{"make fallback", "dev", info("v0.4.0"), "v0.4.0"},
		{"nothing known", "", info("(devel)"), "dev"},
		{"no build info", "", nil, "dev"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := resolveVersion(tt.ldflags, tt.info, tt.info != nil); got != tt.want {
				t.Errorf("resolveVersion(%q, %s) = %q, want %q", tt.ldflags, tt.name, got, tt.want)
			}
		})
	}
	code, out, _ := runPatrol(t, "", "version")
	if code != 0 || strings.TrimSpace(out) != "patrol "+patrolVersion() {
		t.Errorf("patrol version = %d, %q; want patrol %s", code, out, patrolVersion())
	}
}
