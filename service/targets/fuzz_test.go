package targets

import (
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/patrolsec/patrol/internal/httpx"
)

// checkRepositories holds what every listed repository must be, whatever the host answered:
// a Key equal to a clone URL that can carry a token (https, or http to loopback) and has no
// credentials, query or fragment in it.
func checkRepositories(t *testing.T, repos []Repository, err error) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, ErrUnexpected) {
			t.Errorf("error %v does not wrap ErrUnexpected", err)
		}
		if repos != nil {
			t.Errorf("%d repositories with an error", len(repos))
		}
		return
	}
	for _, r := range repos {
		u, perr := url.Parse(r.Key)
		switch {
		case r.Key != r.CloneURL:
			t.Errorf("Key %q != CloneURL %q", r.Key, r.CloneURL)
		case perr != nil:
			t.Errorf("Key %q does not parse: %v", r.Key, perr)
		case !httpx.Secure(u), u.User != nil, u.RawQuery != "", u.Fragment != "":
			t.Errorf("Key %q could leak a token or holds credentials", r.Key)
		case r.Name == "":
			t.Errorf("repository %q without a name", r.Key)
		}
	}
}

var adoSeeds = []string{
	`{"count":1,"value":[{"id":"1","name":"app","project":{"id":"p","name":"app"},"defaultBranch":"refs/heads/main","remoteUrl":"https://contoso@dev.azure.com/contoso/app/_git/app","isDisabled":false,"isFork":true}]}`,
	`{"count":1,"value":[{"name":"web","remoteUrl":"https://dev.azure.com/contoso/app/_git/web","isDisabled":true}]}`,
	`{"count":0,"value":[]}`,
	`{"count":0}`,
	`{"value":null}`,
	`{"value":[{"name":"x","remoteUrl":"http://127.0.0.1:1/x"}]}`,
	`{"value":[{"name":"x","remoteUrl":"https://u:p@h/x"}]}`,
	`{"value":[{"name":"","remoteUrl":"https://h/x"}]}`,
	`[]`, `null`, ``, `{`,
}

func FuzzAzureDevOpsProjects(f *testing.F) {
	for _, s := range append(adoSeeds, `{"count":2,"value":[{"id":"a","name":"app","state":"wellFormed"},{"id":"b","name":"Legacy Tools"}]}`) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ps, err := decodeADOList[adoProject](body)
		if err != nil && (!errors.Is(err, ErrUnexpected) || ps != nil) {
			t.Errorf("decodeADOList = %d projects, %v", len(ps), err)
		}
	})
}

func FuzzAzureDevOpsRepositories(f *testing.F) {
	for _, s := range adoSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		repos, err := adoRepositories(body, "app", func(string) {})
		checkRepositories(t, repos, err)
	})
}

func FuzzGitLabProjects(f *testing.F) {
	for _, s := range []string{
		`[{"id":1,"path_with_namespace":"parent/app","http_url_to_repo":"https://gitlab.com/parent/app.git","default_branch":"main","archived":false}]`,
		`[{"id":2,"path_with_namespace":"parent/f","http_url_to_repo":"https://gitlab.com/parent/f.git","forked_from_project":{"id":1}}]`,
		`[{"id":3,"path_with_namespace":"parent/n","http_url_to_repo":"https://gitlab.com/parent/n.git","forked_from_project":null,"archived":true}]`,
		`[{"id":4,"path_with_namespace":"p/x","http_url_to_repo":"ssh://git@gitlab.com/p/x.git"}]`,
		`[{"id":5,"path_with_namespace":"p/y"}]`,
		`[]`, `null`, `{}`, ``, `[`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		repos, err := gitlabRepositories(body)
		checkRepositories(t, repos, err)
	})
}

func FuzzGitLabNext(f *testing.F) {
	const cur = "https://gitlab.example/api/v4/groups/parent%2Fsub/projects?include_subgroups=true&page=2&per_page=100&with_shared=false"
	f.Add("3", "")
	f.Add("", `<https://gitlab.example/api/v4/groups/parent%2Fsub/projects?page=3&per_page=100>; rel="next", <https://gitlab.example/api/v4/groups/parent%2Fsub/projects?page=9>; rel="last"`)
	f.Add("", `<https://evil.example/api/v4/groups/parent%2Fsub/projects?page=3>; rel="next"`)
	f.Add("1", "")
	f.Add("x", "")
	f.Add("", `<>; rel=next`)
	f.Fuzz(func(t *testing.T, nextPage, link string) {
		h := http.Header{}
		h.Set("X-Next-Page", nextPage)
		h.Set("Link", link)
		next, err := gitlabNext(cur, h)
		if err != nil {
			if !errors.Is(err, ErrUnexpected) {
				t.Errorf("gitlabNext error %v does not wrap ErrUnexpected", err)
			}
			return
		}
		if next == "" {
			return
		}
		u, err := url.Parse(next)
		if err != nil || u.Scheme != "https" || u.Host != "gitlab.example" || u.EscapedPath() != "/api/v4/groups/parent%2Fsub/projects" || u.User != nil {
			t.Errorf("gitlabNext = %q: leaves the endpoint", next)
		}
	})
}
