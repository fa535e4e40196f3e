package service

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/patrolsec/patrol/service/webhook"
)

// Handler serves /metrics, /healthz, /readyz and the webhooks of patrol serve.
func (s *Service) Handler() (http.Handler, error) {
	mux := http.NewServeMux()
	if s.o.Metrics != nil {
		mux.Handle("GET /metrics", s.o.Metrics.Handler())
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		if err := s.Ready(ctx); err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	wo := webhook.Options{OnPush: s.onPush, Dedup: s.dedup, Log: s.log, Now: s.o.Now}
	if s.readsAlerts() {
		wo.OnAlert = s.onAlert
	}
	if s.o.Metrics != nil {
		wo.Count = s.o.Metrics.WebhookDelivery
	}
	wh := s.o.Webhooks
	if len(wh.GitHubSecret) > 0 {
		h, err := webhook.GitHub(wh.GitHubSecret, wo)
		if err != nil {
			return nil, err
		}
		mux.Handle("/webhooks/github", h)
	}
	if wh.GitLabToken != "" {
		h, err := webhook.GitLab(wh.GitLabToken, wo)
		if err != nil {
			return nil, err
		}
		mux.Handle("/webhooks/gitlab", h)
	}
	if wh.AzureDevOpsPassword != "" {
		h, err := webhook.AzureDevOps(wh.AzureDevOpsUser, wh.AzureDevOpsPassword, wo)
		if err != nil {
			return nil, err
		}
		mux.Handle("/webhooks/azuredevops", h)
	}
	return mux, nil
}

// onPush queues an incremental scan of a configured repository; a push for any other
// repository is ignored: a webhook never makes patrol clone a URL taken from a payload.
func (s *Service) onPush(ctx context.Context, p webhook.Push) (bool, error) {
	s.mu.Lock()
	key, ok := s.byURL[normalizeURL(p.Repository)]
	if !ok && p.HTMLURL != "" {
		key, ok = s.byURL[normalizeURL(p.HTMLURL)]
	}
	q := s.queue
	s.mu.Unlock()
	if !ok {
		s.log.InfoContext(ctx, "push for a repository patrol does not watch: ignored", "source", p.Source, "delivery", p.DeliveryID)
		return false, nil
	}
	if q == nil {
		return false, fmt.Errorf("job queue not started")
	}
	after := p.After
	if p.Deleted {
		after = "deleted:" + p.Ref
	}
	_, err := q.EnqueueScan(ctx, ScanArgs{Repository: key, Trigger: TriggerWebhook, After: after}, time.Time{})
	return err == nil, err
}

// dedup records a delivery id; a redelivery is answered without queueing anything.
func (s *Service) dedup(ctx context.Context, source, id string) (bool, error) {
	return s.o.Store.RecordDelivery(ctx, source, id, s.o.Now())
}
