package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// TestReleaseFiles checks what CI cannot run: the GitHub Action builds patrol from its own
// checkout, scans to SARIF and uploads it, and puts no ${{ }} expression into a shell script
// (inputs reach scripts through env only); the GoReleaser config builds cmd/patrol with the
// version in main.version, archives and checksums; a pre-commit rev in the README names a
// commit or a tag that exists.
func TestReleaseFiles(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	read := func(name string, v any) {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}

	var action struct {
		Inputs map[string]struct{ Default string } `yaml:"inputs"`
		Runs   struct {
			Using string `yaml:"using"`
			Steps []struct {
				Uses string            `yaml:"uses"`
				Run  string            `yaml:"run"`
				Env  map[string]string `yaml:"env"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	read("action.yml", &action)
	if action.Runs.Using != "composite" {
		t.Errorf("action.yml: runs.using = %q, want composite", action.Runs.Using)
	}
	var builds, scans, uploads bool
	inputRef := regexp.MustCompile(`inputs\.([a-z-]+)`)
	for i, s := range action.Runs.Steps {
		if strings.Contains(s.Run, "${{") {
			t.Errorf("action.yml: step %d puts an expression into its script (script injection): pass it through env", i)
		}
		builds = builds || strings.Contains(s.Run, "go build") && strings.Contains(s.Run, "./cmd/patrol") && strings.Contains(s.Run, "main.version")
		scans = scans || strings.Contains(s.Run, `patrol" scan -f sarif -o "$SARIF_FILE"`)
		uploads = uploads || strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@")
		for _, v := range s.Env {
			for _, m := range inputRef.FindAllStringSubmatch(v, -1) {
				if _, ok := action.Inputs[m[1]]; !ok {
					t.Errorf("action.yml: step %d uses inputs.%s, which is not declared", i, m[1])
				}
			}
		}
	}
	if !builds || !scans || !uploads {
		t.Errorf("action.yml: builds patrol %v, scans to SARIF %v, uploads SARIF %v; want all", builds, scans, uploads)
	}

	var rel struct {
		Version int `yaml:"version"`
		Builds  []struct {
			Main    string   `yaml:"main"`
			Env     []string `yaml:"env"`
			Ldflags []string `yaml:"ldflags"`
		} `yaml:"builds"`
		Archives []struct {
			Formats []string `yaml:"formats"`
		} `yaml:"archives"`
		Checksum struct {
			NameTemplate string `yaml:"name_template"`
		} `yaml:"checksum"`
	}
	read(".goreleaser.yaml", &rel)
	if rel.Version != 2 || len(rel.Builds) != 1 || rel.Builds[0].Main != "./cmd/patrol" ||
		!strings.Contains(strings.Join(rel.Builds[0].Ldflags, " "), "-X main.version=") ||
		!strings.Contains(strings.Join(rel.Builds[0].Env, " "), "CGO_ENABLED=0") ||
		len(rel.Archives) == 0 || len(rel.Archives[0].Formats) == 0 || rel.Checksum.NameTemplate == "" {
		t.Errorf(".goreleaser.yaml = %+v; want version 2, one static build of ./cmd/patrol setting main.version, archives, checksums", rel)
	}

	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(?m)^\s+rev: (\S+)`).FindAllStringSubmatch(string(readme), -1) {
		rev := m[1]
		if regexp.MustCompile(`^[0-9a-f]{40}$|^<`).MatchString(rev) {
			continue // a full commit sha, or a placeholder to fill in
		}
		if err := exec.Command("git", "-C", root, "rev-parse", "-q", "--verify", "refs/tags/"+rev).Run(); err != nil {
			t.Errorf("README: pre-commit rev %q is neither a commit sha, a placeholder, nor a tag of this repository", rev)
		}
	}
}
