// Package scanner finds leaked tokens in content: the [Engine] (one multi-keyword prefilter,
// then the detectors' patterns only in windows around its hits), the [Source] interface that
// hands it [Chunk]s, [Run] (a worker pool over a source), the sources that need no git
// ([DirSource], [ReaderSource]) and the team's suppressions ([Suppressor]).
//
// Run looks inside archives (zip, gzip, tar) in any source's content with [WalkArchive]: tokens
// get committed in backups and packages, and an archive is recognised by a few magic bytes, so
// content without one costs nothing more. A walk streams members within [ArchiveLimits] and
// counts every cut-off in Stats, so that a bomb costs bounded memory and time, never silence.
//
// Git sources live in package scanner/git, and package scanner/scan picks and composes a
// source for a target. This package knows nothing of verification, revocation, reports or
// the store.
//
// Invariants: a [Finding] carries its raw token only in Finding.Secret (a secret.Token, which
// redacts itself) and Finding.Nearby, neither of which serializes; every [Location] says where
// the token's bytes are (Blob, Offset, Length) so that they can be read again instead of kept.
// An Engine is immutable and safe for concurrent use.
package scanner
