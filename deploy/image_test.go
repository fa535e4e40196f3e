package deploy

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patrolsec/patrol/detectors"
)

// imageRootEnv names the exported root of the image that TestImage checks; check.sh sets it.
const imageRootEnv = "PATROL_IMAGE_ROOT"

// TestImage runs the image's own patrol and git, chrooted into its exported filesystem as uid
// 65532: `patrol version`, and a scan of a repository made here that holds a synthetic token.
func TestImage(t *testing.T) {
	root := os.Getenv(imageRootEnv)
	if root == "" {
		t.Skipf("%s is not set: make image-check builds the image, exports it and runs this test", imageRootEnv)
	}
	if os.Geteuid() != 0 {
		t.Fatalf("%s is set but chroot needs root", imageRootEnv)
	}
	for _, p := range []string{"usr/bin/patrol", "usr/bin/git", "etc/ssl/certs/ca-certificates.crt", "dev/null"} {
		if _, err := os.Stat(filepath.Join(root, p)); err != nil {
			t.Fatalf("image root %s: %v", root, err)
		}
	}
	run := func(t *testing.T, args ...string) (stdout, stderr string, code int) {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), "chroot", append([]string{"--userspec=65532:65532", root}, args...)...)
		cmd.Env = []string{"PATH=/usr/bin", "HOME=/home/nonroot", "PATROL_FINGERPRINT_KEY=" + hex.EncodeToString(randomBytes(t, 32))}
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); ok {
			return out.String(), errb.String(), ee.ExitCode()
		} else if err != nil {
			t.Fatalf("chroot %v: %v", args, err)
		}
		return out.String(), errb.String(), 0
	}

	t.Run("version", func(t *testing.T) {
		out, errs, code := run(t, "/usr/bin/patrol", "version")
		if code != 0 || !strings.HasPrefix(out, "patrol ") {
			t.Fatalf("patrol version: exit %d, stdout %q, stderr %q", code, out, errs)
		}
		if out, errs, code := run(t, "/usr/bin/git", "--version"); code != 0 {
			t.Fatalf("git --version: exit %d, stdout %q, stderr %q", code, out, errs)
		}
	})

	t.Run("scan", func(t *testing.T) {
		dir, err := os.MkdirTemp(filepath.Join(root, "tmp"), "repo-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		body := randomBase62(t, 30)
		tok := "ghp_" + body + detectors.CRC32Base62([]byte(body))
		git(t, dir, "init", "-q", "-b", "main")
		if err := os.WriteFile(filepath.Join(dir, "deploy.env"), []byte("GITHUB_TOKEN="+tok+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		git(t, dir, "add", ".")
		git(t, dir, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "add env")
		if err := chownR(dir, 65532, 65532); err != nil {
			t.Fatal(err)
		}
		inside := "/tmp/" + filepath.Base(dir)
		out, errs, code := run(t, "/usr/bin/patrol", "scan", "--format", "json", inside)
		if code != 1 {
			t.Fatalf("patrol scan %s: exit %d, want 1 (findings); stderr %q", inside, code, errs)
		}
		if strings.Contains(out, tok) || strings.Contains(errs, tok) {
			t.Fatal("the scan's output holds the raw token")
		}
		var findings []struct {
			Detector string `json:"detector"`
			Location struct {
				Source string `json:"source"`
				Commit string `json:"commit"`
			} `json:"location"`
		}
		if err := json.Unmarshal([]byte(out), &findings); err != nil {
			t.Fatalf("scan report: %v", err)
		}
		if len(findings) != 1 || findings[0].Detector != "github-classic-pat" || findings[0].Location.Commit == "" {
			t.Fatalf("findings = %+v, want one github-classic-pat finding in a commit (read from history by the image's git)", findings)
		}
	})
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "git", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func chownR(dir string, uid, gid int) error {
	return filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func randomBase62(t *testing.T, n int) string {
	t.Helper()
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var b strings.Builder
	for range n {
		i, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			t.Fatal(err)
		}
		b.WriteByte(alphabet[i.Int64()])
	}
	return b.String()
}
