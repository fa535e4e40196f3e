package config

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/patrolsec/patrol/detectors"
)

// Rule is a custom detector.
type Rule struct {
	// ID is the rule's kebab-case id, unique and not a built-in detector's.
	ID string `yaml:"id"`
	// Description names the token for people (reports, emails); the id when empty.
	Description string `yaml:"description"`
	// Regex finds the token; its first capturing group, when it has one, is the token.
	Regex string `yaml:"regex"`
	// Keywords are literals of at least 3 characters, one of which must occur near a match
	// (the prefilter runs the regex only around them).
	Keywords []string `yaml:"keywords"`
	// MinEntropy is the minimum Shannon entropy of a match, in bits per byte (0..8).
	MinEntropy float64 `yaml:"min_entropy"`
	// Provider is the revoke provider of the token, when patrol has one.
	Provider string `yaml:"provider"`
}

var ruleID = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// ruleProblems validates the custom rules.
func (c *Config) ruleProblems() problems {
	var ps problems
	builtin := map[string]bool{}
	for _, d := range builtins() {
		builtin[d.ID] = true
	}
	seen := map[string]bool{}
	for i, r := range c.Rules {
		p := fmt.Sprintf("rules[%d]", i)
		switch {
		case r.ID == "":
			ps = append(ps, c.at(p, "id is required"))
		case !ruleID.MatchString(r.ID):
			ps = append(ps, c.at(p+".id", "%q is not kebab-case (a-z, 0-9, -)", r.ID))
		case builtin[r.ID]:
			ps = append(ps, c.at(p+".id", "%q is a built-in detector id", r.ID))
		case seen[r.ID]:
			ps = append(ps, c.at(p+".id", "%q is defined twice", r.ID))
		}
		seen[r.ID] = true
		if r.Regex == "" {
			ps = append(ps, c.at(p, "regex is required"))
		} else if re, err := regexp.Compile(r.Regex); err != nil {
			ps = append(ps, c.at(p+".regex", "%v", err))
		} else if re.MatchString("") {
			ps = append(ps, c.at(p+".regex", "matches the empty string"))
		}
		if len(r.Keywords) == 0 {
			ps = append(ps, c.at(p, "keywords: at least one literal keyword is required (the prefilter runs the regex only near one)"))
		}
		for j, k := range r.Keywords {
			if len(strings.TrimSpace(k)) < 3 {
				ps = append(ps, c.at(fmt.Sprintf("%s.keywords[%d]", p, j), "%q is shorter than 3 characters", k))
			}
		}
		if r.MinEntropy < 0 || r.MinEntropy > 8 {
			ps = append(ps, c.at(p+".min_entropy", "%v is outside 0..8 bits per byte", r.MinEntropy))
		}
	}
	return ps
}

// builtins returns every built-in detector, the generic rules included: custom rule ids
// must differ from all of them, and Describe names all of them.
func builtins() []*detectors.Detector {
	return append(detectors.All(), detectors.Generic()...)
}

// Detectors returns the built-in detectors (with the generic rules when Generic is set)
// followed by the custom rules.
func (c *Config) Detectors() []*detectors.Detector {
	ds := detectors.All()
	if c.Generic {
		ds = append(ds, detectors.Generic()...)
	}
	for _, r := range c.Rules {
		kws := make([]string, len(r.Keywords))
		for i, k := range r.Keywords {
			kws[i] = strings.ToLower(k)
		}
		ds = append(ds, &detectors.Detector{
			ID:          r.ID,
			Provider:    r.Provider,
			Description: r.Description,
			Keywords:    kws,
			Pattern:     r.Regex,
			MinEntropy:  r.MinEntropy,
		})
	}
	return ds
}

// Describe returns the people-name of a detector, built-in or custom rule, by id: its
// description, or id itself when the detector is unknown or has none. Emails and reports
// name tokens with it.
func (c *Config) Describe(id string) string {
	for _, r := range c.Rules {
		if r.ID == id && r.Description != "" {
			return r.Description
		}
	}
	for _, d := range builtins() {
		if d.ID == id && d.Description != "" {
			return d.Description
		}
	}
	return id
}
