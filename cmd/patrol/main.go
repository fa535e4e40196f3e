// Command patrol finds leaked access tokens in git repositories, directories and stdin,
// proves them live, revokes them and tells their owners. See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes.
const (
	exitClean    = 0 // nothing found
	exitFindings = 1 // findings (or a blocked commit)
	exitError    = 2 // usage, config or input error
)

// exitError carries an exit code through cobra.
type exitCodeError struct {
	code int
	err  error
}

func (e *exitCodeError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitCodeError) Unwrap() error { return e.err }

// withCode wraps err so that run exits with code.
func withCode(code int, err error) error { return &exitCodeError{code: code, err: err} }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// streams are the process's standard files, passed down so tests can run commands in-process.
type streams struct {
	in       io.Reader
	out, err io.Writer
	// logs are the root's --log-level and --log-format (see streams.logger).
	logs *logFlags
}

// run executes the command line and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ios := streams{in: stdin, out: stdout, err: stderr, logs: &logFlags{}}
	root := newRootCmd(ios)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitClean
	}
	var ce *exitCodeError
	if errors.As(err, &ce) {
		if ce.err != nil {
			fmt.Fprintf(stderr, "patrol: %v\n", ce.err)
		}
		return ce.code
	}
	fmt.Fprintf(stderr, "patrol: %v\n", err)
	return exitError
}

func newRootCmd(ios streams) *cobra.Command {
	root := &cobra.Command{
		Use:           "patrol",
		Short:         "Find leaked access tokens, prove them live, revoke them, tell their owners",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       patrolVersion(),
	}
	if ios.logs == nil {
		ios.logs = &logFlags{}
	}
	ios.logs.register(root)
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		if err := ios.logs.check(); err != nil {
			return withCode(exitError, err)
		}
		return nil
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return withCode(exitError, fmt.Errorf("%s: %w (see %s --help)", c.CommandPath(), err, c.CommandPath()))
	})
	// Every command, explicitly: no registration from other files.
	root.AddCommand(
		newScanCmd(ios),
		newServeCmd(ios),
		newMigrateCmd(ios),
		newHookCmd(ios),
		newVerifyCmd(ios),
		newRevokeCmd(ios),
		newFindingsCmd(ios),
		newAuditCmd(ios),
		newNotifyCmd(ios),
		newConfigCmd(ios),
		newVersionCmd(ios),
	)
	return root
}
