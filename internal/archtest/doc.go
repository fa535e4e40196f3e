// Package archtest holds the architecture test: the arrows between patrol's packages that the
// design (DESIGN.md, STYLE.md) forbids, checked over `go list -deps` so that a forbidden import
// fails the build's tests the day it appears, directly or through another package.
package archtest
