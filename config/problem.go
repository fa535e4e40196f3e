package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"
)

// problem is one thing wrong in a config file: where (file, line, column, key path) and what.
// Values that are secrets never go in msg.
type problem struct {
	file      string
	line, col int    // 0 when unknown
	key       string // the key path, "serve.workers" or "targets[2].github.token"; "" for none
	msg       string
}

// Error renders "config FILE:LINE[:COL]: KEY: MSG", leaving out what is unknown.
func (p problem) Error() string {
	var b strings.Builder
	b.WriteString("config ")
	b.WriteString(p.file)
	if p.line > 0 {
		fmt.Fprintf(&b, ":%d", p.line)
		if p.col > 0 {
			fmt.Fprintf(&b, ":%d", p.col)
		}
	}
	b.WriteString(": ")
	if p.key != "" {
		b.WriteString(p.key)
		b.WriteString(": ")
	}
	b.WriteString(p.msg)
	return b.String()
}

type problems []problem

// err joins the problems in the order of their lines (those without a line last), or nil.
func (ps problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	sorted := slices.Clone(ps)
	slices.SortStableFunc(sorted, func(a, b problem) int {
		switch {
		case a.line == b.line:
			return 0
		case a.line == 0:
			return 1
		case b.line == 0:
			return -1
		}
		return a.line - b.line
	})
	errs := make([]error, len(sorted))
	for i, p := range sorted {
		errs[i] = p
	}
	return errors.Join(errs...)
}

// without drops the problems at or under any of the key paths in keys.
func (ps problems) without(keys []string) problems {
	if len(keys) == 0 {
		return ps
	}
	var out problems
	for _, p := range ps {
		if !slices.ContainsFunc(keys, func(k string) bool { return under(p.key, k) }) {
			out = append(out, p)
		}
	}
	return out
}

// under reports whether key path key is k or below it; every key is under "".
func under(key, k string) bool {
	return k == "" || key == k || strings.HasPrefix(key, k+".") || strings.HasPrefix(key, k+"[")
}

// at is a problem at key path key ("serve.workers", "targets[0].github"). Its line is the
// line of that key in the file or, when the key is not written there (a required key left
// out), of the nearest enclosing key that is.
func (c *Config) at(key, format string, args ...any) problem {
	return problem{file: c.path, line: c.line(key), key: key, msg: fmt.Sprintf(format, args...)}
}

// line returns the line of key path key in the file, or of its nearest written parent, or 0.
func (c *Config) line(key string) int {
	if c.file == nil {
		return 0
	}
	for key != "" {
		if l := c.exactLine(key); l > 0 {
			return l
		}
		i := strings.LastIndexAny(key, ".[")
		if i < 0 {
			break
		}
		key = key[:i]
	}
	return 0
}

// exactLine returns the line of the value at key path key, or 0 when it is not in the file.
func (c *Config) exactLine(key string) (line int) {
	defer func() {
		if recover() != nil {
			line = 0
		}
	}()
	p, err := yaml.PathString("$." + key)
	if err != nil {
		return 0
	}
	n, err := p.FilterFile(c.file)
	if err != nil || n == nil || n.GetToken() == nil {
		return 0
	}
	return n.GetToken().Position.Line
}
