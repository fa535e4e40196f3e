// Package detectors finds candidate access tokens in bytes.
//
// A [Detector] is data: an ID, the provider that issues the token, literal keywords for the
// scanner's prefilter (or a [Run] charset prefilter for tokens with no literal part), an RE2
// pattern, and an optional validator (checksum, structure) that sets the [Confidence].
// [All] lists the built-in detectors; custom rules from configuration (package config) become Detectors too.
//
// The package does no I/O: no files, network, clock, logs or git. Everything here is a pure
// function of its input, safe for concurrent use; a Detector compiles its pattern once, lazily,
// the first time it runs, so a process that never needs a pattern never pays for it.
//
// Decoders ([Base64Runs], [URLDecodeRuns]) find encoded text whose decoding may hold a token;
// the scanner runs the detectors over the decoded bytes and reports the encoded location.
package detectors
