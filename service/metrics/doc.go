// Package metrics is what `patrol serve` tells Prometheus: how scans, verifications,
// revocations, notifications and webhook deliveries went, and how far behind the service is.
//
// [Metrics] is built on a registry the caller passes in ([New]); the package has no globals and
// no init, so tests and several servers in one process never share series. It registers
// itself, the Go runtime collector and the process collector, and [Metrics.Handler] serves the
// registry as /metrics.
//
// Exported series (every name fixed, documented in the README; labels from closed sets only):
//
//	patrol_build_info{version,goversion}                       gauge, always 1
//	patrol_scans_total{trigger,outcome}                         counter
//	patrol_scan_duration_seconds                                histogram
//	patrol_scanned_bytes_total                                  counter
//	patrol_findings_total{detector,provider,confidence}         counter
//	patrol_verifications_total{provider,status}                 counter
//	patrol_revocations_total{provider,outcome}                  counter
//	patrol_notifications_total{channel,outcome}                 counter
//	patrol_webhook_deliveries_total{source,outcome}             counter
//	patrol_repositories                                         gauge
//	patrol_pipeline_findings{state}                             gauge, read from the store at scrape
//	patrol_oldest_scan_age_seconds                              gauge, read from the store at scrape
//	patrol_time_to_containment_seconds                          histogram
//	patrol_scheduler_skipped_total                              counter
//
// Why closed sets: a label value is a time series, forever. A repository URL, a fingerprint or
// a person as a label would grow the series without bound and put what patrol guards into a
// monitoring system. So every recording method clamps each label value to its documented set
// and records anything else as [Other]; it never logs the value it replaced.
//
// Recording methods are safe for concurrent use, and do nothing on a nil *Metrics, so code
// that runs both in the service and in a one-shot CLI run can take an optional *Metrics.
package metrics
