package main

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"
)

// logFlags are the root's persistent --log-level and --log-format, shared by every command.
// Empty means the command's default (streams.logger).
type logFlags struct {
	level, format string
}

// register adds the flags to root, for every command.
func (l *logFlags) register(root *cobra.Command) {
	fl := root.PersistentFlags()
	fl.StringVar(&l.level, "log-level", "", "log level: debug, info, warn or error (default: warn; patrol serve: info)")
	fl.StringVar(&l.format, "log-format", "", "log format on stderr: text or json (default: text; patrol serve: json when stderr is not a terminal)")
}

// check validates the flags before any command runs.
func (l *logFlags) check() error {
	if _, err := l.parseLevel(slog.LevelWarn); err != nil {
		return err
	}
	switch l.format {
	case "", "text", "json":
		return nil
	}
	return fmt.Errorf("--log-format %q: want text or json", l.format)
}

func (l *logFlags) parseLevel(def slog.Level) (slog.Level, error) {
	switch strings.ToLower(l.level) {
	case "":
		return def, nil
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("--log-level %q: want debug, info, warn or error", l.level)
}

// logger is the command's slog logger, to stderr, as --log-level and --log-format say; a
// command passes its defaults for when they are not given. It also returns the level.
func (ios streams) logger(defLevel slog.Level, defJSON bool) (*slog.Logger, slog.Level, error) {
	l := ios.logs
	if l == nil {
		l = &logFlags{}
	}
	level, err := l.parseLevel(defLevel)
	if err != nil {
		return nil, 0, err
	}
	opts := &slog.HandlerOptions{Level: level}
	switch l.format {
	case "json":
		return slog.New(slog.NewJSONHandler(ios.err, opts)), level, nil
	case "text":
		return slog.New(slog.NewTextHandler(ios.err, opts)), level, nil
	case "":
		if defJSON {
			return slog.New(slog.NewJSONHandler(ios.err, opts)), level, nil
		}
		return slog.New(slog.NewTextHandler(ios.err, opts)), level, nil
	}
	return nil, 0, fmt.Errorf("--log-format %q: want text or json", l.format)
}

// cliLogger is the logger of the commands other than serve: warnings and errors by default,
// as text.
func (ios streams) cliLogger() (*slog.Logger, slog.Level, error) {
	return ios.logger(slog.LevelWarn, false)
}
