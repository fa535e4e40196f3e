package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/patrolsec/patrol/config"
	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/notify"
	"github.com/patrolsec/patrol/pipeline"
	"github.com/patrolsec/patrol/report"
	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/revoke/providers"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/scanner/scan"
	"github.com/patrolsec/patrol/store"
)

// actFlags are the flags that take a scan's findings through the pipeline.
type actFlags struct {
	verify, revoke, yes, notify bool
	storePath                   string
	wait                        time.Duration
}

// defaultWait is how long a CLI run waits for providers to confirm its revocations dead.
const defaultWait = time.Minute

// register adds the flags to c: all of them for patrol scan, only --verify (and the store)
// for the hooks, which never revoke or mail.
func (a *actFlags) register(c *cobra.Command, all bool) {
	fl := c.Flags()
	fl.BoolVar(&a.verify, "verify", false, "ask each token's provider whether it is live and whose it is")
	fl.StringVar(&a.storePath, "store", "", "SQLite state file (default: the config's store, else the user data dir)")
	if !all {
		return
	}
	fl.BoolVar(&a.revoke, "revoke", false, "verify, then revoke live tokens where policy allows (a dry run without --yes or revoke: true in the config)")
	fl.BoolVar(&a.yes, "yes", false, "with --revoke: really revoke, for every provider whose config does not say revoke: false")
	fl.BoolVar(&a.notify, "notify", false, "email owners and the security team once per token (and post the team's webhook)")
	fl.DurationVar(&a.wait, "wait", defaultWait, "with --revoke: how long to wait for providers to confirm revoked tokens dead (the rest is confirmed by the next run or patrol serve)")
}

func (a actFlags) any() bool { return a.verify || a.revoke || a.notify }

func (a actFlags) check() error {
	if a.yes && !a.revoke {
		return errors.New("--yes needs --revoke")
	}
	return nil
}

// requireNotifier refuses --notify when the config has nowhere to send a message: a run that
// promised to tell the owners must not record them as told, or quietly tell no one.
func requireNotifier(a actFlags, cfg *config.Config) error {
	if !a.notify || cfg.Notify.SMTP != nil || cfg.Notify.Webhook != nil && cfg.Notify.Webhook.URL != "" {
		return nil
	}
	where := "no config file (-c)"
	if cfg.Path() != "" {
		where = "config " + cfg.Path()
	}
	return fmt.Errorf("--notify: %s has no notifier: add a notify section with notify.smtp (email) or notify.webhook (chat), "+
		"or drop --notify (patrol config check validates it)", where)
}

// openStore opens the state store: --store, else the config's store section, else the default.
func openStore(ctx context.Context, cfg *config.Config, path string) (store.Store, error) {
	sc := cfg.Store
	if path != "" {
		sc = store.Config{Driver: store.DriverSQLite, DSN: path}
	}
	return store.Open(ctx, sc)
}

// senders builds the mailer and webhook of a notify config (nil when not configured).
func senders(nc notify.Config) (pipeline.Sender, pipeline.Poster, error) {
	var s pipeline.Sender
	var p pipeline.Poster
	if nc.SMTP != nil {
		m, err := notify.NewMailer(*nc.SMTP)
		if err != nil {
			return nil, nil, err
		}
		s = m
	}
	if nc.Webhook != nil && nc.Webhook.URL != "" {
		w, err := notify.NewWebhook(*nc.Webhook, &http.Client{Timeout: notify.DefaultWebhookTimeout})
		if err != nil {
			return nil, nil, err
		}
		p = w
	}
	return s, p, nil
}

// act takes the findings of a scan through the store-driven pipeline — record, verify, revoke
// (when allowed), confirm (up to --wait), notify (with --notify) — and returns the report
// entries with what the store now says of each. Every revocation is claimed and audited in
// the store first, from every command: there is no store-less path.
func act(ctx context.Context, cfg *config.Config, ios streams, engine *scanner.Engine, res scan.Result, a actFlags, actor string) ([]report.Entry, error) {
	entries := make([]report.Entry, len(res.Findings))
	for i, f := range res.Findings {
		entries[i] = report.Entry{Finding: f}
	}
	if len(res.Findings) == 0 {
		return entries, nil
	}
	log, _, err := ios.cliLogger()
	if err != nil {
		return entries, err
	}
	provs, err := providers.New(cfg.Providers, providers.Options{Version: patrolVersion(), Logger: log})
	if err != nil {
		return entries, err
	}
	var mailer pipeline.Sender
	var hook pipeline.Poster
	if a.notify {
		if mailer, hook, err = senders(cfg.Notify); err != nil {
			return entries, err
		}
	}
	st, err := openStore(ctx, cfg, a.storePath)
	if err != nil {
		return entries, err
	}
	defer st.Close()
	var pol pipeline.Policy
	if a.revoke {
		pol = pipeline.Policy{Yes: a.yes, Allowed: cfg.Providers.RevokePolicy}
	}
	mem := &pipeline.Memory{Next: pipeline.Rescan{Engine: engine, Root: res.Root}}
	mem.Add(res.Findings...)
	p := pipeline.New(pipeline.Options{
		Store: st, Provs: provs, Policy: pol, Notify: cfg.Notify, Mailer: mailer, Webhook: hook,
		Actor: actor, Tokens: mem, Describe: cfg.Describe, Logger: log, ConfirmBackoff: cliConfirmBackoff,
		CallTimeout: cfg.Providers.CallTimeout,
		Hints: func(f store.Finding) revoke.Hints {
			h := pipeline.DefaultHints(f)
			if res.Remote != "" {
				h.Repository = res.Remote
			}
			h.Text = mem.Nearby(f.Fingerprint)
			return h
		},
	})
	if _, err := p.Record(ctx, res.Findings, nil); err != nil {
		return entries, err
	}
	var fps []string
	seen := map[string]bool{}
	for _, f := range res.Findings {
		if !seen[f.Fingerprint] {
			seen[f.Fingerprint] = true
			fps = append(fps, f.Fingerprint)
		}
	}
	// Every step that is due now; then, for the revocations the providers accepted, the
	// confirmation polls up to --wait. Unknown verifications and failed revocations are
	// retried by the next run or by patrol serve, not waited for here.
	runErr := p.Drain(ctx, fps, time.Now())
	if a.revoke && runErr == nil {
		var sent []string
		for _, fp := range fps {
			if f, err := st.Finding(ctx, fp); err == nil && f.State == lifecycle.StateRevocationSent {
				sent = append(sent, fp)
			}
		}
		if len(sent) > 0 {
			runErr = p.Drain(ctx, sent, time.Now().Add(a.wait))
		}
	}
	for i, f := range res.Findings {
		sf, err := st.Finding(ctx, f.Fingerprint)
		if err != nil {
			return entries, errors.Join(runErr, err)
		}
		entries[i] = entry(f, sf)
	}
	if a.notify {
		warnUnsent(ctx, ios, st, fps)
	}
	return entries, runErr
}

// cliConfirmBackoff polls a revocation's confirmation quickly while a person waits: 1s, 2s,
// 4s … capped at 10s.
func cliConfirmBackoff(attempt int) time.Duration {
	return min(time.Second<<min(max(attempt-1, 0), 4), 10*time.Second)
}

// entry is the report entry of a finding with what the store says of it.
func entry(f scanner.Finding, sf store.Finding) report.Entry {
	e := report.Entry{Finding: f}
	r := pipeline.ResultOf(sf)
	verdict := r.Verdict
	switch r.Outcome {
	case lifecycle.OutcomeRevoked, lifecycle.OutcomeSent, lifecycle.OutcomeFailed:
		// patrol revokes only tokens it verified live; the store's last verdict may be the
		// confirmation's "dead", but the report says what the token was when found.
		verdict = lifecycle.VerdictLive
	}
	if verdict != "" {
		v := &report.Verification{Status: string(verdict), CheckedAt: r.At.UTC()}
		if o := (report.Owner{ID: r.Owner.ID, Name: r.Owner.Name, Email: r.Owner.Email, Org: r.Owner.Org}); o != (report.Owner{}) {
			v.Owner = &o
		}
		e.Verification = v
	}
	if r.Outcome != "" {
		e.Revocation = &report.Revocation{Status: string(r.Outcome), Reason: r.Reason, At: r.At.UTC()}
	}
	return e
}

// warnUnsent says on stderr which messages are still waiting for a server, so that a mail
// server that is down is seen now and not only in patrol audit.
func warnUnsent(ctx context.Context, ios streams, st store.Store, fps []string) {
	for _, fp := range fps {
		msgs, err := st.Messages(ctx, fp)
		if err != nil {
			continue
		}
		for _, m := range msgs {
			switch m.Status {
			case store.StatusPending, store.StatusSending:
				if m.LastError != "" {
					fmt.Fprintf(ios.err, "patrol: warning: %s message to %s about %s not sent yet (%s); it is retried by the next run or patrol serve\n",
						m.Channel, m.Recipient, short(fp), m.LastError)
				}
			case store.StatusFailed:
				fmt.Fprintf(ios.err, "patrol: warning: %s message to %s about %s failed for good: %s\n", m.Channel, m.Recipient, short(fp), m.LastError)
			}
		}
	}
}

func short(fp string) string { return fp[:min(12, len(fp))] }
