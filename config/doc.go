// Package config loads patrol.yaml into one typed, defaulted and validated [Config], so that
// every command and `patrol config check` read the same thing the same way.
//
// [Load] and [Parse] decode strictly (an unknown key is an error with its line), expand
// ${VAR} from the environment in every string of every section, read the *_file twins of
// secrets, fill defaults ([Default], the one place they live) and validate, joining every
// problem into one error. Each problem names the file, the line and the key path:
//
//	config patrol.yaml:12: targets[2].github.base_url: "http://ghe.contoso.com/api/v3/": http would send the token unencrypted; use https (http is for loopback only)
//
// A section that does not decode (an unknown key, a wrong type) is reported once and left out
// of validation; the other sections are still checked, so one run shows every problem. The
// sections other packages own (store, providers, notify) are their types, checked by their
// own Validate methods, whose key paths are given lines here.
//
// It does not open stores, call providers, enumerate targets or listen: it only reads and
// checks. Schedules are parsed with robfig/cron's ParseStandard, as the service will.
//
// # The file
//
//	fingerprint_key_file: /var/lib/patrol/key   # default secret.DefaultKeyPath
//	max_blob_size: 10485760                     # bytes; larger files and blobs are skipped and counted
//	max_archive_depth: 2                        # levels of zip/gzip/tar opened; 0: archives are not opened
//	rules:                                      # custom detectors
//	  - {id: acme-api-key, description: ACME API key, regex: '\b(acme_[a-z0-9]{32})\b', keywords: [acme_], min_entropy: 3}
//	store: {driver: sqlite, dsn: /var/lib/patrol/patrol.db}  # or {driver: postgres, dsn: "postgres://patrol@db:5432/patrol"}
//	serve:
//	  listen: ":9847"                  # default ":9847" with a file, 127.0.0.1:9847 without one
//	  clone_dir: /var/lib/patrol/repos # default <user cache dir>/patrol/repos
//	  workers: 4                       # scans at once, at least 1
//	  schedule: "*/30 * * * *"         # every target's default: cron spec, @hourly or "@every 2h"
//	  sweep: "@every 6h"               # re-enumerate targets, compare ref tips
//	  shutdown_timeout: 30s            # how long SIGTERM waits for jobs in flight
//	  scan_timeout: 2h                 # bound of one repository scan (a dead replica's scan is retaken after it)
//	  poll_only: false                 # PostgreSQL behind PgBouncer in transaction mode: no LISTEN/NOTIFY
//	targets:                           # each item has exactly one kind
//	  - github: {org: contoso, token: ${GITHUB_TOKEN}}          # or user:; base_url, include_forks, include_archived, alerts
//	  - azuredevops: {org: contoso, token_file: /run/secrets/ado, projects: [app]}  # base_url for a collection
//	  - gitlab: {group: contoso/platform, token: ${GITLAB_TOKEN}, base_url: https://gitlab.contoso.com/}
//	  - git: {url: https://dev.azure.com/contoso/app/_git/app, schedule: "@hourly"}
//	  - path: /srv/repos/legacy        # or path: {dir: /srv/repos/legacy, schedule: "@every 2h"}
//	webhooks:                          # a source without a section is not listened for
//	  github: {secret: ${GITHUB_WEBHOOK_SECRET}}                # or secret_file
//	  gitlab: {token: ${GITLAB_WEBHOOK_TOKEN}}                  # or token_file
//	  azuredevops: {username: patrol, password: ${PATROL_ADO_HOOK_PASSWORD}}  # or password_file
//	providers: …                       # see revoke/providers.Config
//	notify: …                          # see notify.Config
//
// testdata/example.yaml is a complete example with every section.
//
// # Rules of the file
//
//   - ${VAR} is replaced in string values only; an unset variable is an error naming it (set
//     it to "" for an empty value). A bare ${VAR} may hold YAML syntax (": ", "#", "{"):
//     it is expanded after parsing and cannot change the document's structure.
//   - A secret key x and its x_file twin (token/token_file, secret/secret_file,
//     password/password_file) are exclusive. A file is read at load, its surrounding white
//     space trimmed; an empty file is an error.
//   - Relative paths are relative to patrol's working directory.
//   - base_url of targets and providers must be https; plain http only to loopback
//     (127.0.0.1, ::1, localhost). A git URL is https, ssh, file or an absolute path, never
//     with credentials in it.
//   - YAML tags are refused, and aliases that expand past 100,000 nodes.
//
// # Invariants
//
// The credentials of targets and webhooks are [Secret]s (a secret.Token): they print, log and
// marshal as [REDACTED], and no error quotes them or a URL that might hold one. A Config is
// not changed after Load returns and is safe for concurrent reads.
package config
