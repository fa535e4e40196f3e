package hook

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/patrolsec/patrol/scanner"
)

// Blocked is a finding that stops a commit or a push.
type Blocked struct {
	scanner.Finding
	// Status is the provider's verdict ("live", "unknown") when the hook verified tokens.
	Status string
}

// WriteBlocked writes the refusal of a kind check: one line per finding,
// "path:line: detector: redacted" (with the commit for a push, and the verification verdict
// when there is one), then once the ways to proceed, with a .patrolignore line ready to paste
// for each fingerprint. It never writes a raw token.
func WriteBlocked(w io.Writer, kind Kind, blocked []Blocked) error {
	bw := bufio.NewWriter(w)
	n := len(blocked)
	tokens := plural(n, "token", "tokens")
	switch kind {
	case PrePush:
		fmt.Fprintf(bw, "patrol: push refused: %s in the commits being pushed\n\n", tokens)
	case PreCommit:
		fmt.Fprintf(bw, "patrol: commit refused: %s in the staged changes\n\n", tokens)
	default:
		fmt.Fprintf(bw, "patrol: %s in the files checked\n\n", tokens)
	}
	for _, b := range blocked {
		l := b.Location
		fmt.Fprintf(bw, "  %s:%d: %s: %s", printable(l.Path), l.Line, b.DetectorID, printable(b.Redacted))
		var notes []string
		if kind == PrePush && l.Commit != "" {
			notes = append(notes, "commit "+short(l.Commit))
		}
		if b.Encoding != "" {
			notes = append(notes, b.Encoding+"-encoded")
		}
		if b.Status != "" {
			notes = append(notes, b.Status)
		}
		if len(notes) > 0 {
			fmt.Fprintf(bw, " (%s)", strings.Join(notes, ", "))
		}
		bw.WriteString("\n")
	}
	it, they := "it", "It is"
	if n > 1 {
		it, they = "each", "They are"
	}
	switch kind {
	case PrePush:
		fmt.Fprintf(bw, `
%[2]s in your local history only, not pushed yet. To proceed, either
  1. remove %[1]s from the file and rewrite the commits that added it (git commit --amend
     for the last one, git rebase -i <commit>^ for an older one); rotate the token too
     if it was ever used or shared; or
`, it, they)
	case PreCommit:
		fmt.Fprintf(bw, `
%[2]s in your local files only, not committed yet. To proceed, either
  1. remove %[1]s from the file and stage the file again; rotate the token too if it was
     ever used or shared; or
`, it, they)
	default:
		fmt.Fprintf(bw, `
To proceed, either
  1. remove %s from the file; rotate the token too if it was ever used or shared; or
`, it)
	}
	bw.WriteString(`  2. if it is a false positive: write "patrol:allow" in a comment on its line, or
     add this to .patrolignore at the top of the repository:

`)
	seen := map[string]bool{}
	for _, b := range blocked {
		if seen[b.Fingerprint] {
			continue
		}
		seen[b.Fingerprint] = true
		fmt.Fprintf(bw, "       %s  # %s %s\n", b.Fingerprint, b.DetectorID, printable(b.Location.Path))
	}
	switch kind {
	case PrePush:
		fmt.Fprintf(bw, "\nTo push anyway, knowingly: git push --no-verify, or %s=1 git push.\n", SkipEnv)
	case PreCommit:
		fmt.Fprintf(bw, "\nTo commit anyway, knowingly: git commit --no-verify, or %s=1 git commit.\n", SkipEnv)
	default:
		fmt.Fprintf(bw, "\nTo commit anyway, knowingly: SKIP=patrol-files git commit, or %s=1 git commit.\n", SkipEnv)
	}
	return bw.Flush()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

// printable quotes s when it holds control or other non-printing characters, so that a file
// name cannot rewrite the terminal.
func printable(s string) string {
	for _, r := range s {
		if !unicode.IsPrint(r) && r != ' ' {
			return strconv.Quote(s)
		}
	}
	return s
}
