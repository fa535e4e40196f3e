package webhook_test

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/patrolsec/patrol/service/webhook"
)

// recordDelivery stands for store.Store's RecordDelivery.
func recordDelivery(ctx context.Context, source, id string, at time.Time) (bool, error) {
	return true, nil
}

// Example wires the three receivers under /webhooks/ as patrol serve does (without a method
// in the pattern, so that the handlers answer and count a wrong method themselves). The receiver
// matches the pushed repository against the configured ones and queues an incremental scan;
// it never clones the URL from the payload.
func Example() {
	configured := map[string]bool{"https://github.com/contoso/app.git": true}
	o := webhook.Options{
		OnPush: func(ctx context.Context, p webhook.Push) (bool, error) {
			if !configured[p.Repository] {
				return false, nil
			}
			// queue a scan of p.Repository, unique by (repository, ref, after)
			return true, nil
		},
		Dedup: func(ctx context.Context, source, id string) (bool, error) {
			return recordDelivery(ctx, source, id, time.Now())
		},
		Log: slog.Default(),
	}
	mux := http.NewServeMux()
	for path, build := range map[string]func() (http.Handler, error){
		"/webhooks/github": func() (http.Handler, error) { return webhook.GitHub([]byte("from webhooks.github.secret"), o) },
		"/webhooks/gitlab": func() (http.Handler, error) { return webhook.GitLab("from webhooks.gitlab.token", o) },
		"/webhooks/azuredevops": func() (http.Handler, error) {
			return webhook.AzureDevOps("patrol", "from webhooks.azuredevops.password", o)
		},
	} {
		h, err := build()
		if err != nil {
			slog.Error("webhook not served", "err", err)
			continue
		}
		mux.Handle(path, h)
	}
}
