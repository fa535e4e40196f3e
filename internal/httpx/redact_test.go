package httpx

import (
	"strings"
	"testing"
)

// redactTests merge the cases of the three redactors this one replaces (revoke's base URL
// check, revoke/providers' config validation, scanner's repository names).
var redactTests = []struct {
	name, in, want string
}{
	{name: "plain", in: "https://github.com/o/r.git", want: "https://github.com/o/r.git"},
	{name: "API root", in: "https://api.github.com/", want: "https://api.github.com/"},
	{name: "port and path", in: "https://tfs.contoso.com:8443/tfs/DefaultCollection/", want: "https://tfs.contoso.com:8443/tfs/DefaultCollection/"},
	{name: "password", in: "https://user:s3cr3t@github.com/o/r.git", want: "https://github.com/o/r.git"},
	{name: "password in base URL", in: "https://user:pw@registry.example.com/", want: "https://registry.example.com/"},
	{name: "token as user name", in: "https://tokenAsUserName@github.com/o/r.git", want: "https://github.com/o/r.git"},
	{name: "x-access-token and query", in: "https://x-access-token:abc@host/r?token=zzz", want: "https://host/r"},
	{name: "private_token", in: "https://gitlab.example.com/?private_token=abc", want: "https://gitlab.example.com/"},
	{name: "access_token and fragment", in: "https://github.com/o/r.git?access_token=zzz#frag", want: "https://github.com/o/r.git"},
	{name: "client_secret", in: "https://api.example.com/oauth?client_id=a&client_secret=b", want: "https://api.example.com/oauth"},
	{name: "signed URL", in: "https://acct.blob.core.windows.net/c/b?sv=2024-01-01&sig=abc%2Bdef", want: "https://acct.blob.core.windows.net/c/b"},
	{name: "key", in: "https://maps.example.com/api?key=abc", want: "https://maps.example.com/api"},
	{name: "fragment token", in: "https://app.example.com/cb#access_token=abc&token_type=bearer", want: "https://app.example.com/cb"},
	{name: "empty query", in: "https://host/r?", want: "https://host/r"},
	{name: "ssh URL", in: "ssh://git@host/r.git", want: "ssh://host/r.git"},
	{name: "unparsable keeps the host", in: "https://us%zzer@host/r", want: "https://host/…"},
	{name: "unparsable with password", in: "https://user:p%zz@host/r?token=x", want: "https://host/…"},
	{name: "unparsable host", in: "http://[::1/x?key=y", want: "http://[::1/…"},
	{name: "scp-like keeps the SSH login", in: "git@github.com:o/r.git", want: "git@github.com:o/r.git"},
	{name: "scp-like with password", in: "user:pw@host:o/r.git", want: "host:o/r.git"},
	{name: "local path", in: "/srv/repos/legacy", want: "/srv/repos/legacy"},
	{name: "local path with percent", in: "/srv/100%/repo", want: "/srv/100%/repo"},
	{name: "no scheme with query", in: "dev.azure.com?private_token=abc", want: "dev.azure.com"},
	{name: "no scheme with fragment", in: "dev.azure.com/#token=abc", want: "dev.azure.com/"},
	{name: "empty", in: "", want: ""},
}

func TestRedactURL(t *testing.T) {
	t.Parallel()
	for _, tt := range redactTests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := RedactURL(tt.in); got != tt.want {
				t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// secretValue stands for a credential planted in every place a URL can carry one.
const secretValue = "Zq9secretvalue7Xw"

func FuzzRedactURL(f *testing.F) {
	for _, tt := range redactTests {
		f.Add(tt.in, "user")
	}
	f.Fuzz(func(t *testing.T, raw, user string) {
		_ = RedactURL(raw) // never panics
		if strings.ContainsAny(user, ":@/?#%[]") || strings.Contains(raw, secretValue) {
			return
		}
		// A secret in the password, the user name, the query or the fragment never survives,
		// whatever the rest of the URL is.
		for _, u := range []string{
			"https://" + user + ":" + secretValue + "@" + raw,
			"https://" + secretValue + "@" + raw,
			"https://host/" + raw + "?token=" + secretValue,
			"https://host/" + raw + "#access_token=" + secretValue,
			raw + "?token=" + secretValue,
		} {
			if got := RedactURL(u); strings.Contains(got, secretValue) {
				t.Errorf("RedactURL(%q) = %q, keeps the secret", u, got)
			}
		}
	})
}
