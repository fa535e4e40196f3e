// Package git reads git repositories for the scanner: the history of a repository
// ([GitSource], every distinct blob reachable from the selected refs read once, findings
// attributed to the commit that first introduced each blob at each path), the staged changes
// of a work tree ([StagedSource]), which lines pushed commits add ([KeepAdded]), and the
// clone cache of remote repositories.
//
// Blobs in pack files are read in process; a delta over a blob of the same scan is scanned
// only around what it changes, and its base's findings are carried over, so that a file
// rewritten in every commit costs what changes, not what it holds. Locations still point into
// the whole blob.
//
// Every git process goes through a [Runner]: one environment, errors that name the
// subcommand and the directory and never a credential. [IsURL] is the one test of "remote
// or local path".
//
// Incremental scans: [GitSource.Tips] is the cursor after a scan, GitOptions.Cursor the one
// before it, and GitOptions.SkipBlobs leaves out blobs a service recorded as scanned.
package git
