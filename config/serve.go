package config

import (
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Defaults of the serve section (see [Default] and [DefaultServe]).
const (
	// ListenAddr is where a config file's `patrol serve` listens when serve.listen is not set:
	// every interface, so that Prometheus and webhook senders reach it.
	ListenAddr = ":9847"
	// LocalListenAddr is where `patrol serve` listens without a config file: loopback only.
	LocalListenAddr = "127.0.0.1:9847"
	// DefaultWorkers is how many repositories are scanned at once.
	DefaultWorkers = 4
	// DefaultSchedule is when each target is scanned, unless it has its own schedule.
	DefaultSchedule = "*/30 * * * *"
	// DefaultSweep is when targets are enumerated again (new repositories join, deleted ones
	// retire) and ref tips compared.
	DefaultSweep = "@every 6h"
	// DefaultShutdownTimeout is how long SIGTERM waits for jobs in flight.
	DefaultShutdownTimeout = 30 * time.Second
	// DefaultScanTimeout bounds one repository scan.
	DefaultScanTimeout = 2 * time.Hour
)

// Serve is the serve section: how `patrol serve` runs.
type Serve struct {
	// Listen is the HTTP address of /metrics, /healthz, /readyz and the webhooks, host:port
	// with a numeric port (0 picks a free one). Default [ListenAddr] in a config file,
	// [LocalListenAddr] without one.
	Listen string `yaml:"listen"`
	// CloneDir holds one mirror per repository, kept current by fetch. Default
	// <user cache dir>/patrol/repos (os.UserCacheDir).
	CloneDir string `yaml:"clone_dir"`
	// Workers bounds the scans running at once (default 4, at least 1).
	Workers int `yaml:"workers"`
	// Schedule is the default schedule of every target: a cron spec of five fields
	// ("*/30 * * * *"), a descriptor ("@hourly") or "@every 2h", as robfig/cron's
	// ParseStandard reads it, with an optional "CRON_TZ=Europe/Paris " prefix.
	Schedule string `yaml:"schedule"`
	// Sweep is when targets are enumerated again and ref tips compared (default "@every 6h";
	// the same forms as Schedule).
	Sweep string `yaml:"sweep"`
	// ShutdownTimeout is how long SIGTERM waits for jobs in flight before leaving them to
	// resume on the next start (default 30s; "90s", "2m").
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// ScanTimeout bounds one repository scan, fetch included (default 2h; "30m"). With
	// several replicas, a scan whose replica died is given to another one ScanTimeout plus
	// an hour (at most) after it started: set it above the longest scan you expect.
	ScanTimeout time.Duration `yaml:"scan_timeout"`
	// PollOnly makes the job queue find new jobs by polling alone, without PostgreSQL's
	// LISTEN/NOTIFY: set it behind a connection pooler in transaction mode (PgBouncer's
	// pool_mode = transaction), where LISTEN does not work. Jobs then start up to a poll
	// interval later. Ignored on SQLite.
	PollOnly bool `yaml:"poll_only"`
}

// serveProblems validates the serve section.
func (c *Config) serveProblems() problems {
	var ps problems
	s := c.Serve
	if host, port, err := net.SplitHostPort(s.Listen); err != nil {
		ps = append(ps, c.at("serve.listen", "%q is not host:port (\":9847\", \"127.0.0.1:9847\")", s.Listen))
	} else if n, err := strconv.ParseUint(port, 10, 16); err != nil || (n == 0 && port != "0") {
		ps = append(ps, c.at("serve.listen", "port %q of %q is not a number in 0..65535", port, s.Listen))
	} else if strings.ContainsAny(host, " \t/@") {
		ps = append(ps, c.at("serve.listen", "host %q of %q is not an IP address or host name", host, s.Listen))
	}
	if s.CloneDir == "" && c.needsClones() {
		ps = append(ps, c.at("serve.clone_dir", "required: no user cache directory to default to ($HOME and $XDG_CACHE_HOME are unset), and a target needs clones"))
	}
	if s.Workers < 1 {
		ps = append(ps, c.at("serve.workers", "%d is less than 1", s.Workers))
	}
	ps = append(ps, c.scheduleProblem("serve.schedule", s.Schedule)...)
	ps = append(ps, c.scheduleProblem("serve.sweep", s.Sweep)...)
	if s.ScanTimeout <= 0 {
		ps = append(ps, c.at("serve.scan_timeout", "%s is not positive", s.ScanTimeout))
	}
	if s.ShutdownTimeout < 0 {
		ps = append(ps, c.at("serve.shutdown_timeout", "%s is negative", s.ShutdownTimeout))
	}
	return ps
}

// scheduleProblem checks a schedule spec the way the service will parse it.
func (c *Config) scheduleProblem(key, spec string) problems {
	if spec == "" {
		return problems{c.at(key, "required (a cron spec like \"*/30 * * * *\", \"@hourly\" or \"@every 2h\")")}
	}
	if _, err := cron.ParseStandard(spec); err != nil {
		return problems{c.at(key, "%q is not a schedule: %v", spec, err)}
	}
	return nil
}

// needsClones reports whether a target is mirrored into the clone cache (every kind but path).
func (c *Config) needsClones() bool {
	for _, t := range c.Targets {
		if t.Path == nil {
			return true
		}
	}
	return false
}
