package config

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// unquotedEnvRef is a ${VAR} written as a bare scalar value, as in "password: ${SMTP_PASSWORD}"
// or inside a flow mapping "{token: ${TOKEN}, …}", where YAML would read "{" as syntax.
var unquotedEnvRef = regexp.MustCompile(`(?m)([:\[,{]\s*|^\s*-\s+)\$\{([A-Za-z_][A-Za-z0-9_]*)\}(\s*(?:[,}\]]|#|$))`)

// quoteEnvRefs quotes bare ${VAR} values so they parse as strings; they are expanded after
// decoding (ExpandEnv), so a value with YAML syntax in it (a password with "#" or ": ")
// cannot change the document's structure. Lines and columns stay put except past the quote.
func quoteEnvRefs(src []byte) []byte {
	return unquotedEnvRef.ReplaceAll(src, []byte(`${1}"$${${2}}"${3}`))
}

// parseYAML parses src into an AST. The parser panics on some malformed input; that becomes
// an error, never a crash.
func parseYAML(src []byte) (f *ast.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("malformed YAML the parser cannot read (%v)", r)
		}
	}()
	return parser.ParseBytes(src, 0)
}

// maxNodes bounds the size of the document with its aliases expanded: a "billion laughs"
// of nested aliases would otherwise keep the decoder busy for minutes (found by FuzzParse).
// A real patrol.yaml has a few hundred nodes.
const maxNodes = 100_000

// vetAST refuses what the decoder would mishandle: YAML tags (!!binary, !custom …), which
// patrol's config has no use for and the decoder drops or mishandles silently, and aliases
// that expand past maxNodes.
func vetAST(f *ast.File) error {
	v := &vetter{anchors: map[string]int{}}
	for _, doc := range f.Docs {
		if doc.Body != nil {
			v.total += v.size(doc.Body)
		}
	}
	if v.tag != nil {
		p := v.tag.GetToken().Position
		return fmt.Errorf("[%d:%d] YAML tag %s is not supported", p.Line, p.Column, v.tag.GetToken().Value)
	}
	if v.total > maxNodes {
		return fmt.Errorf("YAML aliases expand the document past %d nodes", maxNodes)
	}
	return nil
}

// vetter walks an AST for vetAST: the first tag, and the expanded size of each anchor.
type vetter struct {
	tag     ast.Node
	anchors map[string]int // anchor name → expanded size of its value
	total   int            // nodes counted by the current size call
}

// size returns the number of nodes under n with aliases expanded, capped past maxNodes.
func (v *vetter) size(n ast.Node) int {
	outer := v.total
	v.total = 0
	ast.Walk(v, n)
	s := v.total
	v.total = outer
	return s
}

func (v *vetter) Visit(n ast.Node) ast.Visitor {
	if n == nil || v.total > maxNodes {
		return nil
	}
	switch n := n.(type) {
	case *ast.TagNode:
		if v.tag == nil {
			v.tag = n
		}
	case *ast.AnchorNode:
		s := 1
		if n.Value != nil {
			s += v.size(n.Value)
		}
		if n.Name != nil {
			v.anchors[n.Name.GetToken().Value] = s
		}
		v.total += s
		return nil
	case *ast.AliasNode:
		if n.Value != nil {
			v.total += v.anchors[n.Value.GetToken().Value]
		}
		v.total++
		return nil
	}
	v.total++
	return v
}

// decodeNode decodes a node strictly into v (a pointer to a non-pointer). The decoder panics
// on some malformed input (a tag on an empty sequence, found by FuzzParse); that becomes an
// error, never a crash.
func decodeNode(n ast.Node, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed YAML the parser cannot read (%v)", r)
		}
	}()
	return yaml.NodeToValue(n, v, yaml.Strict())
}

var yamlPos = regexp.MustCompile(`^\[(\d+):(\d+)\] `)

// posError renders a YAML error as "file:line:col: message".
func posError(path string, err error) string {
	msg := oneLine(yaml.FormatError(err, false, false))
	if m := yamlPos.FindStringSubmatch(msg); m != nil {
		return path + ":" + m[1] + ":" + m[2] + ": " + msg[len(m[0]):]
	}
	return path + ": " + msg
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// decodeSections decodes the file's top-level keys one by one into c, and each target on
// its own, so that a problem in one does not hide the problems of the others. It returns the
// problems and the key paths that did not decode.
func (c *Config) decodeSections() (problems, []string) {
	body := c.file.Docs[0].Body
	kvs, ok := mappingValues(body)
	if !ok {
		return problems{c.nodeProblem(body, "", "the top level must be a mapping of keys (rules:, store:, …)")}, []string{""}
	}
	var ps problems
	var failed []string
	fields := yamlFields(reflect.TypeFor[Config]())
	cv := reflect.ValueOf(c).Elem()
	for _, kv := range kvs {
		name := kv.Key.GetToken().Value
		f, ok := fields[name]
		if !ok {
			ps = append(ps, c.nodeProblem(kv.Key, "", fmt.Sprintf("unknown field %q", name)))
			continue
		}
		if kv.Value == nil || kv.Value.Type() == ast.NullType {
			continue
		}
		if seq, ok := kv.Value.(*ast.SequenceNode); ok && name == "targets" {
			for i, item := range seq.Values {
				key := fmt.Sprintf("targets[%d]", i)
				var t Target
				if err := decodeNode(item, &t); err != nil {
					ps = append(ps, c.decodeProblem(err, item, reflect.TypeFor[Target](), key))
					failed = append(failed, key)
				}
				c.Targets = append(c.Targets, t)
			}
			continue
		}
		fv := cv.FieldByIndex(f.index)
		if err := decodeNode(kv.Value, fv.Addr().Interface()); err != nil {
			ps = append(ps, c.decodeProblem(err, kv.Value, f.typ, name))
			failed = append(failed, name)
		}
	}
	return ps, failed
}

// decodeProblem turns a decoder error about node n (decoded as type t at key path key) into
// a problem. The decoder gives most errors a position; the errors of custom unmarshalers
// (durations, for one) come without, and are placed at the key that fails.
func (c *Config) decodeProblem(err error, n ast.Node, t reflect.Type, key string) problem {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		p := ye.GetToken().Position
		return problem{file: c.path, line: p.Line, col: p.Column, msg: oneLine(ye.GetMessage())}
	}
	at, atKey := locate(n, t, key)
	return c.nodeProblem(at, atKey, oneLine(err.Error()))
}

// nodeProblem is a problem at node n, named by key path key ("" for none).
func (c *Config) nodeProblem(n ast.Node, key, msg string) problem {
	p := problem{file: c.path, key: key, msg: msg}
	if n != nil && n.GetToken() != nil {
		p.line, p.col = n.GetToken().Position.Line, n.GetToken().Position.Column
	}
	return p
}

// locate finds the deepest node under n, decoded as type t, that still fails to decode on its
// own, and its key path (key for n).
func locate(n ast.Node, t reflect.Type, key string) (ast.Node, string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	fails := func(n ast.Node, t reflect.Type) bool {
		for t.Kind() == reflect.Pointer {
			t = t.Elem() // the decoder leaves a **T alone
		}
		return decodeNode(n, reflect.New(t).Interface()) != nil
	}
	switch t.Kind() {
	case reflect.Struct:
		kvs, _ := mappingValues(n)
		fields := yamlFields(t)
		for _, kv := range kvs {
			name := kv.Key.GetToken().Value
			if f, ok := fields[name]; ok && kv.Value != nil && fails(kv.Value, f.typ) {
				return locate(kv.Value, f.typ, key+"."+name)
			}
		}
	case reflect.Map:
		kvs, _ := mappingValues(n)
		for _, kv := range kvs {
			if kv.Value != nil && fails(kv.Value, t.Elem()) {
				return locate(kv.Value, t.Elem(), key+"."+kv.Key.GetToken().Value)
			}
		}
	case reflect.Slice:
		if seq, ok := n.(*ast.SequenceNode); ok {
			for i, item := range seq.Values {
				if fails(item, t.Elem()) {
					return locate(item, t.Elem(), key+"["+strconv.Itoa(i)+"]")
				}
			}
		}
	}
	return n, key
}

// mappingValues returns the key-value pairs of a mapping node.
func mappingValues(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch m := n.(type) {
	case *ast.MappingNode:
		return m.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}, true
	}
	return nil, false
}

type yamlField struct {
	index []int
	typ   reflect.Type
}

// yamlFields maps the YAML keys of struct type t to its fields, through inlined structs.
func yamlFields(t reflect.Type) map[string]yamlField {
	out := map[string]yamlField{}
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || strings.Contains(opts, "inline") {
			continue // an inlined struct's own fields are visible fields too
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		if _, dup := out[name]; !dup {
			out[name] = yamlField{index: f.Index, typ: f.Type}
		}
	}
	return out
}
