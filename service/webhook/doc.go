// Package webhook receives push notifications from GitHub, GitLab and Azure DevOps and hands
// each push, authenticated and typed, to a callback; and GitHub's secret_scanning_alert
// events (an alert created, reopened or resolved), as an [Alert], to another.
//
// A webhook is a hint that a repository changed, not the source of truth: hosts truncate the
// commit lists, drop events for large pushes and lose deliveries, so the service that receives
// a [Push] fetches and diffs the repository's refs itself, and scheduled sweeps cover what never
// arrives. This package therefore never queues, clones or scans anything, and it never trusts
// a URL from a payload beyond handing it over: the [Receiver] decides whether the repository is
// one patrol watches.
//
// One [http.Handler] per source ([GitHub], [GitLab], [AzureDevOps]) does, in order:
//  1. refuse anything but POST (405);
//  2. authenticate what the headers carry, in constant time and before any body is read:
//     GitLab's X-Gitlab-Token, Azure DevOps' Basic credentials (its service hooks have no
//     signature), and that GitHub's X-Hub-Signature-256 is present and well formed; 401 if not;
//  3. read at most [MaxBodyBytes] of body (413 beyond), then check GitHub's HMAC-SHA256 over
//     those raw bytes in constant time (401);
//  4. parse the event: a GitHub ping → 200, an event that is neither a push nor an alert
//     event patrol acts on (or an alert event without an [AlertReceiver]) → 204, a malformed
//     payload → 400;
//  5. record the delivery id through [Dedup]: a redelivery → 200 with nothing handed over;
//  6. hand every push (Azure DevOps sends one per updated ref) to the [Receiver]: 202 whether
//     the repository is configured or not, 503 when the service cannot take it now (GitLab and
//     Azure DevOps retry a 503; the service's scheduled sweep covers the rest); and an alert
//     event to the [AlertReceiver], answered the same way (the periodic poll of open alerts
//     covers a lost one).
//
// Every delivery is counted once with its source and an outcome from [Outcomes].
//
// Invariants: a webhook secret, token or password never reaches a log line, an error or a
// response, and neither does a request body (parse errors name the field, never its value).
// Handlers hold no mutable state and are safe for concurrent use.
package webhook
