// Package service is `patrol serve`: the continuous service that watches every repository a
// team owns. It enumerates targets (service/targets), keeps a mirror of each repository in a
// clone cache and scans it incrementally from a per-repository cursor (scanner/scan), records
// findings and advances the cursor in one store transaction, and takes every finding through
// the store-driven pipeline (verify, revoke, confirm, notify) — in a job queued with the scan's
// findings, and again from the retry worker whenever a step is due. Push webhooks
// (service/webhook) trigger scans; /metrics (service/metrics), /healthz and /readyz report.
// GitHub's secret-scanning alerts of a target with alerts are a second source of findings
// (alerts.go, service/alerts): taken in from their webhook and a periodic poll, taken through
// the same pipeline, and resolved by a durable job once their token is dead.
//
// The unit of work is a job (scan repository R, tick a schedule, sweep the targets, advance
// the pipeline, take finding F further) run on River (queue.go): its SQLite driver on the
// store's file for one replica (queue_sqlite.go), its pgx driver when replicas share one
// PostgreSQL database (queue_postgres.go). The driver is all that differs: job handlers are
// methods of [Service] and know nothing of the engine under them. Only the queue's elected
// leader inserts the periodic jobs; any replica works any job.
//
// Invariants: at most one scan of a repository at a time across replicas (a lock in the
// database); a scan job's findings, cursor, follow-up jobs and completion commit in one
// transaction (a crash rescans, never skips); a
// webhook never makes patrol clone a URL taken from a payload, only configured repositories;
// no raw token reaches a log, a metric label or the store.
package service
