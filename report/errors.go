package report

import "errors"

// ErrUnknownFormat is returned, wrapped with the offending value and the valid ones, by
// [ParseFormat] and by [Write] when given a [Format] this package does not know.
var ErrUnknownFormat = errors.New("unknown report format")
