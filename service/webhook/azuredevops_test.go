package webhook

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const (
	adoUser     = "patrol"
	adoPassword = "patrol-test-hook-password"
	fabrikam    = "https://fabrikam-fiber-inc@fabrikam-fiber-inc.visualstudio.com/DefaultCollection/_git/Fabrikam-Fiber-Git"
)

// adoDelivery is a service hook notification as Azure DevOps posts it.
func adoDelivery(body []byte) request {
	return request{basic: true, user: adoUser, pass: adoPassword, body: body,
		header: map[string]string{"Content-Type": "application/json; charset=utf-8"}}
}

func TestAzureDevOps(t *testing.T) {
	t.Parallel()
	body := fixture(t, "azuredevops-git-push.json")
	push := adoDelivery(body)
	at := time.Date(2014, 5, 2, 19, 17, 13, 330958700, time.UTC)
	main := Push{
		Source: SourceAzureDevOps, DeliveryID: "03c164c2-8912-4d5e-8009-3707d5f83734", Repository: fabrikam,
		HTMLURL: "https://fabrikam-fiber-inc.visualstudio.com/DefaultCollection/_git/Fabrikam-Fiber-Git",
		Ref:     "refs/heads/master", Before: "aad331d8d3b131fa9ae03cf5e53965b51942618a",
		After: "33b55f7cb7e7e245323987634f960cf4a6e6bc74", Pusher: `Windows Live ID\fabrikamfiber4@hotmail.com`, At: at,
	}
	tag := main
	tag.Ref, tag.Before, tag.Created = "refs/tags/v1.2", strings.Repeat("0", 40), true
	// Without the event id, the subscription and notification ids identify the delivery.
	noID := adoDelivery([]byte(strings.Replace(string(body), `"id": "03c164c2-8912-4d5e-8009-3707d5f83734",`, "", 1)))
	mainNoID, tagNoID := main, tag
	mainNoID.DeliveryID = "00000000-0000-0000-0000-000000000000/3"
	tagNoID.DeliveryID = mainNoID.DeliveryID
	wrongPass, wrongUser, noAuth := push, push, push
	wrongPass.pass = adoPassword + "x"
	wrongUser.user = "someone"
	noAuth.basic = false
	badRef := adoDelivery([]byte(strings.Replace(string(body), `"name": "refs/tags/v1.2"`, `"name": "v1.2"`, 1)))
	noResource := adoDelivery([]byte(`{"id":"e1","eventType":"git.push","resourceVersion":"1.0"}`))
	count := func(outcome string, n int) map[string]int { return map[string]int{"azuredevops " + outcome: n} }

	tests := []exchange{
		{name: "push updating two refs", steps: []step{{push, http.StatusAccepted}},
			wantPushes: []Push{main, tag}, wantCounts: count(OutcomeAccepted, 1)},
		{name: "notification id when the event has none", steps: []step{{noID, http.StatusAccepted}},
			wantPushes: []Push{mainNoID, tagNoID}, wantCounts: count(OutcomeAccepted, 1)},
		{name: "wrong password", steps: []step{{wrongPass, http.StatusUnauthorized}},
			wantCounts: count(OutcomeUnauthorized, 1)},
		{name: "wrong user", steps: []step{{wrongUser, http.StatusUnauthorized}},
			wantCounts: count(OutcomeUnauthorized, 1)},
		{name: "no credentials", steps: []step{{noAuth, http.StatusUnauthorized}},
			wantCounts: count(OutcomeUnauthorized, 1)},
		{name: "redelivered", steps: []step{{push, http.StatusAccepted}, {push, http.StatusOK}},
			wantPushes: []Push{main, tag}, wantCounts: map[string]int{"azuredevops accepted": 1, "azuredevops duplicate": 1}},
		{name: "oversize", steps: []step{{adoDelivery(oversize()), http.StatusRequestEntityTooLarge}},
			wantCounts: count(OutcomeTooLarge, 1)},
		{name: "unknown event", steps: []step{{adoDelivery(fixture(t, "azuredevops-build-complete.json")), http.StatusNoContent}},
			wantCounts: count(OutcomeUnsupported, 1)},
		{name: "a ref update that is not a ref", steps: []step{{badRef, http.StatusBadRequest}},
			wantCounts: count(OutcomeBadRequest, 1)},
		{name: "resource details None", steps: []step{{noResource, http.StatusBadRequest}},
			wantCounts: count(OutcomeBadRequest, 1)},
		{name: "unconfigured repository", watched: []string{"https://dev.azure.com/contoso/app/_git/app"},
			steps: []step{{push, http.StatusAccepted}}, wantCounts: count(OutcomeIgnored, 1)},
		{name: "store down", dedupErr: errStoreDown, steps: []step{{push, http.StatusServiceUnavailable}},
			wantCounts: count(OutcomeError, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, func(o Options) (http.Handler, error) { return AzureDevOps(adoUser, adoPassword, o) }, fabrikam)
		})
	}
}

// TestAzureDevOpsChallenge checks that a 401 names the Basic scheme, as HTTP clients expect.
func TestAzureDevOpsChallenge(t *testing.T) {
	t.Parallel()
	h, err := AzureDevOps(adoUser, adoPassword, newReceived().options())
	url := serve(t, h, err)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Basic ") {
		t.Errorf("WWW-Authenticate = %q, want a Basic challenge", got)
	}
}
