package detectors

import "testing"

var (
	httpLeads = []string{"https://ci-bot:", "http://admin:", "https://deploy:", "git clone https://:"}
	httpTails = []string{"@artifacts.corp.internal/repository/releases/", "@10.1.2.3:8080/manager/html",
		"@git.acme-corp.net/team/app.git", "@[2a01:4f8::17]/repo.git"}
)

func init() { registerCasesAround(HTTPBasicAuthURL, casesHTTPBasicAuthURL, httpLeads, httpTails) }

func casesHTTPBasicAuthURL() ([]tp, []fp) {
	return []tp{
			{"https", rnd(4300, alnum, 16), ConfidencePattern},
			{"http, IP host", rnd(4301, alnum, 20), ConfidencePattern},
			{"URL-encoded", rnd(4302, alnum, 8) + "%21" + rnd(4303, alnum, 8), ConfidencePattern},
			{"no user, IPv6 host", rnd(4304, b64url, 32), ConfidencePattern},
		}, []fp{
			{"sample", "https://user:password@host/path"},
			{"actions expression", "https://x-access-token:${{ secrets.GITHUB_TOKEN }}@github.com/owner/repo"},
			{"variable", "https://oauth2:$CI_JOB_TOKEN@gitlab.com/group/project.git"},
			{"documentation host", "https://admin:" + rnd(4310, alnum, 16) + "@example.com/"},
			{"loopback", "http://user:" + rnd(4311, alnum, 16) + "@localhost:8080"},
			{"host without a dot", "http://proxy:" + rnd(4312, alnum, 16) + "@proxy:3128"},
			{"no userinfo", "https://github.com/google/go-github/blob/master/README.md"},
			{"short password", "https://username:s3cret@git.corp.internal/x.git"},
			{"low entropy", "https://bob:aaaabbbbaaaabbbb@git.corp.internal/x.git"},
			{"port, not a password", "https://git.corp.internal:8443/x.git"},
			{"lower-case words", "https://u:not-a-password@github.com/contoso/app"},
			{"lower-case words again", "https://user:pw-value@github.com/o/r.git"},
		}
}

func TestHTTPBasicAuthURL(t *testing.T) {
	t.Parallel()
	tps, fps := casesHTTPBasicAuthURL()
	checkDetectorAround(t, HTTPBasicAuthURL(), tps, fps, httpLeads, httpTails)
}
