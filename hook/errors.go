package hook

import "errors"

var (
	// ErrForeignHook is returned by Install when a hook that patrol did not write is where
	// patrol's would go, and Force is not set (or its chained name is taken too).
	ErrForeignHook = errors.New("a hook not written by patrol is in the way")
	// ErrBadUpdate is returned by ParseUpdates for a line that is not
	// "<local ref> <local sha> <remote ref> <remote sha>".
	ErrBadUpdate = errors.New("not a pre-push update line")
	// ErrNotRepository is returned by HooksDir, Install and Uninstall outside a git repository.
	ErrNotRepository = errors.New("not in a git repository")
)
