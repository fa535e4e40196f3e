package detectors

import "testing"

var (
	ftpLeads = []string{"ftp://deploy:", "sftp://backup:", "ftps://web:"}
	ftpTails = []string{"@ftp.corp.internal/incoming/", "@10.20.30.40:22/data", "@files.acme-corp.net:990/"}
)

func init() { registerCasesAround(FTPURLPassword, casesFTPURLPassword, ftpLeads, ftpTails) }

func casesFTPURLPassword() ([]tp, []fp) {
	return []tp{
			{"ftp", rnd(4200, alnum, 16), ConfidencePattern},
			{"sftp", rnd(4201, alnum, 20), ConfidencePattern},
			{"ftps", rnd(4202, alnum, 12), ConfidencePattern},
		}, []fp{
			{"anonymous", "ftp://anonymous:guest@ftp.gnu.org/gnu/"},
			{"anonymous with an address", "ftp://anonymous:" + rnd(4210, alnum, 12) + "@ftp.corp.internal/pub"},
			{"sample", "ftp://user:password@host/path"},
			{"loopback", "sftp://deploy:" + rnd(4211, alnum, 16) + "@localhost/"},
			{"no userinfo", "ftp://ftp.gnu.org/gnu/"},
			{"documentation address", "sftp://deploy:" + rnd(4212, alnum, 16) + "@203.0.113.5/"},
		}
}

func TestFTPURLPassword(t *testing.T) {
	t.Parallel()
	tps, fps := casesFTPURLPassword()
	checkDetectorAround(t, FTPURLPassword(), tps, fps, ftpLeads, ftpTails)
}
