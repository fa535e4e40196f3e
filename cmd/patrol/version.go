package main

import (
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/spf13/cobra"
)

// version is set at build time (-ldflags -X main.version=…, as make and goreleaser do);
// empty, the build info says it (resolveVersion).
var version string

// patrolVersion is the version this binary reports: in `patrol version`, User-Agent headers,
// SARIF's tool version and patrol_build_info.
var patrolVersion = sync.OnceValue(func() string {
	bi, ok := debug.ReadBuildInfo()
	return resolveVersion(version, bi, ok)
})

// resolveVersion is ldflags when set; else the main module's version, which `go install
// github.com/patrolsec/patrol/cmd/patrol@v0.4.0` records (a tag, or a pseudo-version for a
// commit); else the VCS revision a build in a checkout records ("dev-<12 hex>", "-dirty"
// with local changes); else "dev".
func resolveVersion(ldflags string, bi *debug.BuildInfo, ok bool) string {
	if ldflags != "" && ldflags != "dev" {
		return ldflags
	}
	if !ok || bi == nil {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev string
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "dev"
	}
	v := "dev-" + rev[:min(12, len(rev))]
	if dirty {
		v += "-dirty"
	}
	return v
}

func newVersionCmd(ios streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintf(ios.out, "patrol %s\n", patrolVersion())
			return nil
		},
	}
}
