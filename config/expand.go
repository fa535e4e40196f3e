package config

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
)

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// ExpandEnv replaces ${VAR} in s from the environment; a referenced but unset variable is an
// error naming it. A variable set to the empty string expands to "".
func ExpandEnv(s string) (string, error) {
	var missing []string
	out := envRef.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-1]
		v, ok := os.LookupEnv(name)
		if !ok {
			missing = append(missing, name)
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("environment variable %s is not set", strings.Join(missing, ", "))
	}
	return out, nil
}

var secretType = reflect.TypeFor[Secret]()

// expand applies ExpandEnv to every string of every section, Secrets included, naming each
// problem by its key path (for the line number). Only strings are expanded: a ${VAR} where
// YAML wants a number is a decoding error.
func (c *Config) expand() problems {
	var ps problems
	expand := func(s, key string) (string, bool) {
		out, err := ExpandEnv(s)
		if err != nil {
			ps = append(ps, c.at(key, "%v", err))
			return s, false
		}
		return out, true
	}
	var walk func(v reflect.Value, key string)
	walk = func(v reflect.Value, key string) {
		if v.Type() == secretType {
			if s, ok := expand(v.Interface().(Secret).Reveal(), key); ok && v.CanSet() {
				v.Set(reflect.ValueOf(NewSecret(s)))
			}
			return
		}
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem(), key)
			}
		case reflect.String:
			if v.CanSet() {
				if s, ok := expand(v.String(), key); ok {
					v.SetString(s)
				}
			}
		case reflect.Struct:
			t := v.Type()
			for i := range t.NumField() {
				f := t.Field(i)
				if !f.IsExported() {
					continue
				}
				k := key
				if name, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); name != "" && name != "-" {
					k = strings.TrimPrefix(key+"."+name, ".")
				}
				walk(v.Field(i), k)
			}
		case reflect.Slice, reflect.Array:
			if v.Type().Elem().Kind() == reflect.Uint8 {
				return
			}
			for i := range v.Len() {
				walk(v.Index(i), fmt.Sprintf("%s[%d]", key, i))
			}
		case reflect.Map:
			for _, k := range v.MapKeys() {
				e := reflect.New(v.Type().Elem()).Elem()
				e.Set(v.MapIndex(k))
				walk(e, fmt.Sprintf("%s.%v", key, k))
				v.SetMapIndex(k, e)
			}
		}
	}
	walk(reflect.ValueOf(c).Elem(), "")
	return ps
}
