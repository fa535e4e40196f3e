package metrics

import (
	"github.com/riverqueue/river/rivertype"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/revoke/providers"
	"github.com/patrolsec/patrol/service/webhook"
)

// Label values defined here. The other closed sets are defined once where the words live:
// detector ids in detectors.All, providers in providers.Names, verdicts, outcomes and states
// in lifecycle, webhook sources and outcomes in webhook.
const (
	// Other replaces any label value outside its closed set.
	Other = "other"
	// NoProvider is the provider label of a finding whose detector names no provider.
	NoProvider = "none"

	// Scan triggers.
	TriggerSchedule = "schedule" // the repository's cron schedule
	TriggerSweep    = "sweep"    // a sweep found its ref tips moved
	TriggerWebhook  = "webhook"  // a push webhook
	TriggerManual   = "manual"   // asked for by an operator

	// Scan outcomes.
	ScanOK       = "ok"       // scanned, findings and cursor recorded
	ScanError    = "error"    // fetch or scan failed; the cursor did not move
	ScanCanceled = "canceled" // stopped by shutdown; the next run resumes

	// Job kinds (River's kind names of patrol's jobs).
	JobScan     = "patrol_scan"     // scan one repository from its cursor
	JobTick     = "patrol_tick"     // a schedule fired: queue its repositories' scans
	JobSweep    = "patrol_sweep"    // re-enumerate the targets and scan every repository
	JobPipeline = "patrol_pipeline" // advance due findings and deliver due messages
	JobFinding  = "patrol_finding"  // take one new finding through the pipeline
	// JobAlert, JobAlertPoll and JobAlertResolve are the jobs of code hosts' secret-scanning
	// alerts: take one alert in, list the open alerts, resolve one alert.
	JobAlert        = "patrol_alert"
	JobAlertPoll    = "patrol_alert_poll"
	JobAlertResolve = "patrol_alert_resolve"

	// Job outcomes.
	JobOK      = "ok"      // the job's work is done
	JobError   = "error"   // it failed; River retries it with backoff
	JobSnoozed = "snoozed" // it runs again shortly (the repository is being scanned elsewhere)

	// Sources of secret-scanning alerts (patrol_alerts_total).
	AlertSourceGitHub      = "github"
	AlertSourceAzureDevOps = "azuredevops"

	// Alert outcomes (patrol_alerts_total).
	AlertIngested      = "ingested"       // a new alert became (or joined) a finding
	AlertDuplicate     = "duplicate"      // an alert already taken in: nothing changed
	AlertUnknownType   = "unknown_type"   // neither a detector nor its secret type names it: left alone
	AlertResolved      = "resolved"       // resolved as revoked once its token was dead
	AlertLeftOpen      = "left_open"      // live, and policy (or the provider) does not let patrol revoke it
	AlertResolveFailed = "resolve_failed" // the resolving call failed; the job retries it

	// ChannelEmail is the notification channel of SMTP mail.
	ChannelEmail = "email"

	// Notification outcomes.
	NotificationSent   = "sent"   // a server accepted the message
	NotificationRetry  = "retry"  // the send failed and is scheduled again
	NotificationFailed = "failed" // the send failed for good
)

// set is one label's closed set of values, in a fixed order.
type set struct {
	values []string
	index  map[string]bool
}

func newSet(values ...string) set {
	s := set{index: map[string]bool{}}
	for _, v := range values {
		if !s.index[v] {
			s.index[v] = true
			s.values = append(s.values, v)
		}
	}
	return s
}

// clamp returns v when it is in the set, else Other.
func (s set) clamp(v string) string {
	if s.index[v] {
		return v
	}
	return Other
}

// labelSets are the closed sets of every label.
type labelSets struct {
	trigger, scanOutcome      set
	detector, confidence      set
	provider, findingProvider set
	status, revocation        set
	channel, notification     set
	source, delivery          set
	state                     set
	jobKind, jobOutcome       set
	jobState                  set
	alertSource, alertOutcome set
}

func newLabelSets(extraDetectors []string) labelSets {
	var ids []string
	for _, d := range append(detectors.All(), detectors.Generic()...) {
		ids = append(ids, d.ID)
	}
	return labelSets{
		trigger:         newSet(TriggerSchedule, TriggerSweep, TriggerWebhook, TriggerManual),
		scanOutcome:     newSet(ScanOK, ScanError, ScanCanceled),
		detector:        newSet(append(ids, extraDetectors...)...),
		provider:        newSet(providers.Names...),
		findingProvider: newSet(append(append([]string(nil), providers.Names...), NoProvider)...),
		confidence:      newSet(string(detectors.ConfidenceChecksum), string(detectors.ConfidencePattern), string(detectors.ConfidenceGeneric)),
		status:          newSet(words(lifecycle.Verdicts()...)...),
		revocation:      newSet(words(lifecycle.Outcomes()...)...),
		channel:         newSet(ChannelEmail),
		notification:    newSet(NotificationSent, NotificationRetry, NotificationFailed),
		source:          newSet(webhook.Sources()...),
		delivery:        newSet(webhook.Outcomes()...),
		state:           newSet(words(lifecycle.States()...)...),
		jobKind:         newSet(JobScan, JobTick, JobSweep, JobPipeline, JobFinding, JobAlert, JobAlertPoll, JobAlertResolve),
		jobOutcome:      newSet(JobOK, JobError, JobSnoozed),
		jobState:        newSet(words(rivertype.JobStates()...)...),
		alertSource:     newSet(AlertSourceGitHub, AlertSourceAzureDevOps),
		alertOutcome:    newSet(AlertIngested, AlertDuplicate, AlertUnknownType, AlertResolved, AlertLeftOpen, AlertResolveFailed),
	}
}

// words converts typed words to label values.
func words[T ~string](ws ...T) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = string(w)
	}
	return out
}
