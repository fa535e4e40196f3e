package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"sigs.k8s.io/yaml"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/service/metrics"
)

const (
	rulesFile     = "prometheus/patrol.rules.yml"
	rulesTestFile = "prometheus/patrol.rules.test.yml"
	dashboardFile = "grafana/patrol.json"
)

// scrapeLabels are the labels Prometheus adds to every series it scrapes; scrapeSeries the
// series it makes itself.
var (
	scrapeLabels = []string{"job", "instance"}
	scrapeSeries = map[string][]string{"up": nil}
)

// family is what the registry exports under one metric name: each label's values.
type family struct {
	labels map[string]map[string]bool
}

// exported gathers metrics.New's registry, every series of a closed label set pre-initialised
// and the scrape-time series given data, and returns each series name it serves (a
// histogram's _bucket, _sum and _count, with le on _bucket).
func exported(t *testing.T) map[string]family {
	t.Helper()
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg, metrics.Options{
		PipelineCounts: func(context.Context) (map[lifecycle.State]int, error) { return nil, nil },
		OldestScan:     func(context.Context) (time.Time, error) { return time.Now().Add(-time.Minute), nil },
		Queue:          func(context.Context) (metrics.QueueStats, error) { return metrics.QueueStats{Leader: true}, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	// patrol_findings_total is not pre-initialised (detectors × confidences): record one.
	m.Finding("github-classic-pat", "github", "checksum")
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]family{}
	add := func(name string, ls []*dto.LabelPair, extra ...string) {
		f, ok := out[name]
		if !ok {
			f = family{labels: map[string]map[string]bool{}}
			out[name] = f
		}
		for _, l := range ls {
			if f.labels[l.GetName()] == nil {
				f.labels[l.GetName()] = map[string]bool{}
			}
			f.labels[l.GetName()][l.GetValue()] = true
		}
		for _, e := range extra {
			if f.labels[e] == nil {
				f.labels[e] = map[string]bool{}
			}
		}
	}
	for _, mf := range mfs {
		for _, mt := range mf.GetMetric() {
			switch mf.GetType() {
			case dto.MetricType_HISTOGRAM:
				add(mf.GetName()+"_bucket", mt.GetLabel(), "le")
				add(mf.GetName()+"_sum", mt.GetLabel())
				add(mf.GetName()+"_count", mt.GetLabel())
			case dto.MetricType_SUMMARY:
				add(mf.GetName(), mt.GetLabel(), "quantile")
				add(mf.GetName()+"_sum", mt.GetLabel())
				add(mf.GetName()+"_count", mt.GetLabel())
			default:
				add(mf.GetName(), mt.GetLabel())
			}
		}
	}
	for name, ls := range scrapeSeries {
		add(name, nil, ls...)
	}
	return out
}

// query is one PromQL expression and where it was found.
type query struct{ where, expr, alert string }

// ruleQueries returns the expr of every rule.
func ruleQueries(t *testing.T) []query {
	t.Helper()
	var f struct {
		Groups []struct {
			Name  string `json:"name"`
			Rules []struct {
				Alert  string `json:"alert"`
				Record string `json:"record"`
				Expr   string `json:"expr"`
			} `json:"rules"`
		} `json:"groups"`
	}
	readYAML(t, rulesFile, &f)
	var qs []query
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			qs = append(qs, query{fmt.Sprintf("%s: %s %s%s", rulesFile, g.Name, r.Alert, r.Record), r.Expr, r.Alert})
		}
	}
	if len(qs) == 0 {
		t.Fatalf("%s: no rules", rulesFile)
	}
	return qs
}

// grafanaVars are the dashboard variables and what stands for each when an expression is
// parsed.
var grafanaVars = map[string]string{"job": "patrol", "__rate_interval": "5m", "__interval": "1m", "__range": "1h"}

var grafanaVar = regexp.MustCompile(`\$\{?(\w+)\}?`)

// labelValues matches the templating query label_values(selector, label).
var labelValues = regexp.MustCompile(`^label_values\((.+),\s*(\w+)\)$`)

// dashboardQueries returns every expr of every panel's targets (rows' panels included) and
// the selector of every label_values variable, with the dashboard's variables substituted.
func dashboardQueries(t *testing.T) []query {
	t.Helper()
	b, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels     []dashPanel `json:"panels"`
		Templating struct {
			List []struct {
				Name       string `json:"name"`
				Type       string `json:"type"`
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	var qs []query
	var walk func([]dashPanel)
	walk = func(ps []dashPanel) {
		for _, p := range ps {
			for _, tg := range p.Targets {
				qs = append(qs, query{fmt.Sprintf("%s: panel %q target %s", dashboardFile, p.Title, tg.RefID), tg.Expr, ""})
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		m := labelValues.FindStringSubmatch(v.Definition)
		if m == nil {
			t.Errorf("%s: variable %s: %q is not label_values(selector, label)", dashboardFile, v.Name, v.Definition)
			continue
		}
		qs = append(qs, query{fmt.Sprintf("%s: variable %s", dashboardFile, v.Name), m[1], ""})
	}
	for i, q := range qs {
		qs[i].expr = grafanaVar.ReplaceAllStringFunc(q.expr, func(s string) string {
			name := grafanaVar.FindStringSubmatch(s)[1]
			v, ok := grafanaVars[name]
			if !ok {
				t.Errorf("%s: unknown dashboard variable $%s", q.where, name)
			}
			return v
		})
	}
	if len(qs) == 0 {
		t.Fatalf("%s: no queries", dashboardFile)
	}
	return qs
}

type dashPanel struct {
	Title   string `json:"title"`
	Targets []struct {
		RefID string `json:"refId"`
		Expr  string `json:"expr"`
	} `json:"targets"`
	Panels []dashPanel `json:"panels"`
}

// TestQueriesNameExportedMetrics parses every expression of the alert rules and the dashboard
// and checks each selector against what the service's registry exports: the metric name, each
// label it matches on, and for = and =~ matchers that some exported value matches (so a
// misspelt outcome is caught, not only a misspelt metric).
func TestQueriesNameExportedMetrics(t *testing.T) {
	t.Parallel()
	fams := exported(t)
	qs := append(ruleQueries(t), dashboardQueries(t)...)
	for _, q := range qs {
		t.Run(q.where, func(t *testing.T) {
			t.Parallel()
			expr, err := parser.NewParser(parser.Options{}).ParseExpr(q.expr)
			if err != nil {
				t.Fatalf("%q: %v", q.expr, err)
			}
			n := 0
			parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
				vs, ok := node.(*parser.VectorSelector)
				if !ok {
					return nil
				}
				n++
				checkSelector(t, vs, fams)
				return nil
			})
			if n == 0 {
				t.Errorf("%q selects no series", q.expr)
			}
		})
	}
}

func checkSelector(t *testing.T, vs *parser.VectorSelector, fams map[string]family) {
	t.Helper()
	f, ok := fams[vs.Name]
	if !ok {
		t.Errorf("%s: metric %q is not exported (exported: %s)", vs, vs.Name, strings.Join(sortedKeys(fams), ", "))
		return
	}
	for _, m := range vs.LabelMatchers {
		if m.Name == labels.MetricName {
			continue
		}
		if slices.Contains(scrapeLabels, m.Name) {
			continue
		}
		values, ok := f.labels[m.Name]
		if !ok {
			t.Errorf("%s: %s has no label %q (its labels: %s)", vs, vs.Name, m.Name, strings.Join(sortedKeys(f.labels), ", "))
			continue
		}
		if m.Type == labels.MatchNotEqual || m.Type == labels.MatchNotRegexp || len(values) == 0 {
			continue // le and quantile: values are the buckets'
		}
		if !slices.ContainsFunc(sortedKeys(values), m.Matches) {
			t.Errorf("%s: no exported %s{%s} matches %s (values: %s)", vs, vs.Name, m.Name, m, strings.Join(sortedKeys(values), ", "))
		}
	}
}

// TestRuleTestsCoverEveryAlert checks that the promtool unit tests have, for every alert, a
// case where it fires and one where it stays silent.
func TestRuleTestsCoverEveryAlert(t *testing.T) {
	t.Parallel()
	var tf struct {
		Tests []struct {
			Name  string `json:"name"`
			Cases []struct {
				Alert     string            `json:"alertname"`
				ExpAlerts []json.RawMessage `json:"exp_alerts"`
			} `json:"alert_rule_test"`
		} `json:"tests"`
	}
	readYAML(t, rulesTestFile, &tf)
	fires, silent := map[string]bool{}, map[string]bool{}
	for _, tc := range tf.Tests {
		for _, c := range tc.Cases {
			if len(c.ExpAlerts) > 0 {
				fires[c.Alert] = true
			} else {
				silent[c.Alert] = true
			}
		}
	}
	for _, q := range ruleQueries(t) {
		alert := q.alert
		if alert == "" {
			continue // a recording rule
		}
		if !fires[alert] || !silent[alert] {
			t.Errorf("%s: %s has a firing case: %v, a silent case: %v; want both", rulesTestFile, alert, fires[alert], silent[alert])
		}
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
