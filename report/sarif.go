package report

import (
	"bytes"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/patrolsec/patrol/scanner"
)

// SARIF constants. The $schema URI is the OASIS one the committee published with 2.1.0.
const (
	sarifVersion        = "2.1.0"
	sarifSchemaURI      = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json"
	sarifInformationURI = "https://github.com/patrolsec/patrol"
	// sarifFingerprintKey names patrol's keyed fingerprint in result.partialFingerprints. The
	// version suffix follows the SARIF convention: a new scheme gets a new key.
	sarifFingerprintKey = "patrolFingerprint/v1"
	// sarifRootBase is the uriBaseId result URIs are relative to when Options.Root is usable.
	sarifRootBase = "SRCROOT"
	// sarifStdinURI stands for standard input, which has no path.
	sarifStdinURI = "stdin"
)

// The sarif* structs hold the subset of SARIF 2.1.0 patrol writes, in schema order.

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                   `json:"tool"`
	OriginalURIBaseIDs map[string]sarifArtifactLoc `json:"originalUriBaseIds,omitempty"`
	Results            []sarifResult               `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string            `json:"id"`
	ShortDescription     sarifText         `json:"shortDescription"`
	DefaultConfiguration sarifRuleConfig   `json:"defaultConfiguration"`
	Properties           sarifRuleProperty `json:"properties"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifRuleProperty struct {
	Provider string   `json:"provider,omitempty"`
	Tags     []string `json:"tags"`
}

type sarifResult struct {
	RuleID              string              `json:"ruleId"`
	RuleIndex           int                 `json:"ruleIndex"`
	Level               string              `json:"level"`
	Message             sarifText           `json:"message"`
	Locations           []sarifLocation     `json:"locations"`
	PartialFingerprints map[string]string   `json:"partialFingerprints,omitempty"`
	Properties          sarifResultProperty `json:"properties"`
}

// sarifLocation is a file region (physicalLocation), or, for a token in a commit or tag
// message, which has no file, the message as a logical location.
type sarifLocation struct {
	PhysicalLocation *sarifPhysicalLoc `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogicalLoc `json:"logicalLocations,omitempty"`
	Message          *sarifText        `json:"message,omitempty"`
}

type sarifLogicalLoc struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

type sarifPhysicalLoc struct {
	ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
	Region           *sarifRegion     `json:"region,omitempty"`
}

type sarifArtifactLoc struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine,omitempty"`
	StartColumn int `json:"startColumn,omitempty"`
}

// sarifResultProperty carries what SARIF has no field for, in the JSON report's names.
type sarifResultProperty struct {
	Provider     string            `json:"provider,omitempty"`
	Confidence   string            `json:"confidence"`
	Redacted     string            `json:"redacted"`
	Encoding     string            `json:"encoding,omitempty"`
	Secret       string            `json:"secret,omitempty"`
	Source       string            `json:"source"`
	Kind         string            `json:"kind,omitempty"`
	Repository   string            `json:"repository,omitempty"`
	Commit       string            `json:"commit,omitempty"`
	AuthorName   string            `json:"author_name,omitempty"`
	AuthorEmail  string            `json:"author_email,omitempty"`
	Date         string            `json:"date,omitempty"`
	Verification *wireVerification `json:"verification,omitempty"`
	Revocation   *wireRevocation   `json:"revocation,omitempty"`
}

// writeSARIF writes a SARIF 2.1.0 log with one run. Every result is level "error": a leaked
// credential is never a style note. Columns are the scanner's byte columns; SARIF's default
// column kind counts UTF-16 code units, which agrees on ASCII lines.
func writeSARIF(buf *bytes.Buffer, entries []Entry, opts Options) error {
	rules, index := sarifRules(entries, opts)
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:           "patrol",
			Version:        opts.ToolVersion,
			InformationURI: sarifInformationURI,
			Rules:          rules,
		}},
		Results: make([]sarifResult, 0, len(entries)),
	}
	base := sarifBaseURI(opts.Root)
	if base != "" {
		run.OriginalURIBaseIDs = map[string]sarifArtifactLoc{sarifRootBase: {URI: base}}
	}
	for _, e := range entries {
		run.Results = append(run.Results, sarifResultFor(e, index[e.DetectorID], base != "", opts))
	}
	return encodeJSON(buf, sarifLog{Schema: sarifSchemaURI, Version: sarifVersion, Runs: []sarifRun{run}}, "  ")
}

// sarifRules returns one rule per detector in opts.Detectors, then one bare rule for each
// other detector ID that has findings (custom rules the caller did not list), and the index
// of each rule by ID.
func sarifRules(entries []Entry, opts Options) ([]sarifRule, map[string]int) {
	rules := []sarifRule{}
	index := map[string]int{}
	add := func(id, provider, description string) {
		if _, ok := index[id]; ok {
			return
		}
		if description == "" {
			description = id
		}
		index[id] = len(rules)
		rules = append(rules, sarifRule{
			ID:                   id,
			ShortDescription:     sarifText{Text: description},
			DefaultConfiguration: sarifRuleConfig{Level: "error"},
			Properties:           sarifRuleProperty{Provider: provider, Tags: []string{"security", "secret"}},
		})
	}
	for _, d := range opts.Detectors {
		if d != nil {
			add(d.ID, d.Provider, d.Description)
		}
	}
	for _, e := range entries { // sorted, so the extra rules come in a stable order
		add(e.DetectorID, e.Provider, "")
	}
	return rules, index
}

func sarifResultFor(e Entry, ruleIndex int, withBase bool, opts Options) sarifResult {
	l := e.Location
	w := toWire(e, opts.ShowSecrets)
	art := sarifArtifactLoc{URI: sarifStdinURI}
	if l.Source != scanner.SourceStdin && l.Path != "" {
		art.URI = relativeURI(l.Path)
		if withBase {
			art.URIBaseID = sarifRootBase
		}
	}
	phys := &sarifPhysicalLoc{ArtifactLocation: art}
	if l.Line > 0 {
		phys.Region = &sarifRegion{StartLine: l.Line}
		if l.Column > 0 {
			phys.Region.StartColumn = l.Column
		}
	}
	loc := sarifLocation{PhysicalLocation: phys}
	if l.Kind != "" { // a commit or tag message: no file to point at
		what := strings.ReplaceAll(l.Kind, "-", " ")
		loc = sarifLocation{
			LogicalLocations: []sarifLogicalLoc{{Name: l.Commit, FullyQualifiedName: l.Kind + ":" + l.Commit, Kind: l.Kind}},
			Message:          &sarifText{Text: fmt.Sprintf("%s of %s, line %d, column %d", what, l.Commit, l.Line, l.Column)},
		}
	}
	r := sarifResult{
		RuleID:    e.DetectorID,
		RuleIndex: ruleIndex,
		Level:     "error",
		Message:   sarifText{Text: sarifMessage(e)},
		Locations: []sarifLocation{loc},
		Properties: sarifResultProperty{
			Provider:     w.Provider,
			Confidence:   w.Confidence,
			Redacted:     w.Redacted,
			Encoding:     w.Encoding,
			Secret:       w.Secret,
			Source:       w.Location.Source,
			Kind:         w.Location.Kind,
			Repository:   w.Location.Repository,
			Commit:       w.Location.Commit,
			AuthorName:   w.Location.AuthorName,
			AuthorEmail:  w.Location.AuthorEmail,
			Date:         w.Location.Date,
			Verification: w.Verification,
			Revocation:   w.Revocation,
		},
	}
	if e.Fingerprint != "" {
		r.PartialFingerprints = map[string]string{sarifFingerprintKey: e.Fingerprint}
	}
	return r
}

// sarifMessage names the detector and the redacted preview, never the raw secret: dashboards
// show messages to everyone with read access.
func sarifMessage(e Entry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Leaked %s token %s (confidence: %s", e.DetectorID, e.Redacted, e.Confidence)
	if e.Encoding != "" {
		fmt.Fprintf(&b, "; %s-encoded", e.Encoding)
	}
	if v := e.Verification; v != nil {
		fmt.Fprintf(&b, "; verification: %s", v.Status)
	}
	if r := e.Revocation; r != nil {
		fmt.Fprintf(&b, "; revocation: %s", r.Status)
	}
	b.WriteString(").")
	return b.String()
}

// relativeURI escapes a slash-separated relative path as a URI reference. url.URL adds "./"
// when the first segment holds a colon, so it is not read as a scheme.
func relativeURI(p string) string {
	return (&url.URL{Path: p}).String()
}

// sarifBaseURI returns the absolute URI of root, ending in "/", or "" when root is neither an
// absolute path nor a URL (SARIF requires base URIs to be absolute).
func sarifBaseURI(root string) string {
	if root == "" {
		return ""
	}
	if u, err := url.Parse(root); err == nil && u.Scheme != "" && u.Host != "" {
		s := u.String()
		if !strings.HasSuffix(s, "/") {
			s += "/"
		}
		return s
	}
	if !filepath.IsAbs(root) {
		return ""
	}
	p := filepath.ToSlash(filepath.Clean(root))
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // Windows: C:/x becomes file:///C:/x
	}
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}
