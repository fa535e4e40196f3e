package git

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/scanner/internal/scantest"
)

// TestGitDockerConfigJSONSecret: a Kubernetes Secret of type kubernetes.io/dockerconfigjson
// holds base64 of a JSON whose auth is base64 of user:token. The token is found once, at the
// data value (the outermost encoded text), two levels deep.
func TestGitDockerConfigJSONSecret(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	tok := scantest.ADOToken()
	auth := base64.StdEncoding.EncodeToString([]byte("ci:" + tok))
	cfg := `{"auths":{"contoso.azurecr.io":{"username":"ci","password":"-","auth":"` + auth + `"}}}`
	secret := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: " +
		base64.StdEncoding.EncodeToString([]byte(cfg)) + "\n"
	r.write("k8s/regcred.yaml", secret)
	c := r.commit("registry credentials")
	for _, mode := range []GitMode{GitBinary, GitGoGit} {
		fs, _, err := scanGit(t, GitOptions{Repo: r.dir, Mode: mode, MaxBlobSize: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		want := []where{{"azure-devops-pat", "k8s/regcred.yaml", c, 7, 22}}
		if diff := cmp.Diff(want, wheres(fs)); diff != "" {
			t.Fatalf("mode %d (-want +got):\n%s", mode, diff)
		}
		f := fs[0]
		if f.Encoding != "base64+base64" || f.Location.Offset != int64(strings.Index(secret, "eyJ")) || f.Location.Length != len(secret)-1-strings.Index(secret, "eyJ") {
			t.Errorf("mode %d: encoding %q, span %d+%d; want base64+base64 over the data value", mode, f.Encoding, f.Location.Offset, f.Location.Length)
		}
		checkSpans(t, r.dir, fs)
	}
}
