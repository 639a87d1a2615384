package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// EnvPrefix starts every environment override: VISITBOT_ + the key path
// upper-cased with "_" (database.dsn → VISITBOT_DATABASE_DSN).
const EnvPrefix = "VISITBOT_"

// applyEnv walks the config struct and sets every leaf whose variable is
// present. Map entries are reachable for the keys the map already has
// (defaults or file), e.g. VISITBOT_RANKING_WEIGHTS_LECTURE.
func applyEnv(c *Config, environ []string) error {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, EnvPrefix) {
			env[k] = v
		}
	}
	if len(env) == 0 {
		return nil
	}
	return walk(reflect.ValueOf(c).Elem(), "", func(path string, v reflect.Value) error {
		name := EnvPrefix + strings.ToUpper(strings.ReplaceAll(path, ".", "_"))
		raw, ok := env[name]
		if !ok {
			return nil
		}
		if err := setValue(v, raw); err != nil {
			return fmt.Errorf("config %s (from %s): %w", path, name, err)
		}
		return nil
	})
}

// walk calls fn for every settable leaf with its dotted YAML path.
func walk(v reflect.Value, prefix string, fn func(path string, v reflect.Value) error) error {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			return fn(prefix, v)
		}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if tag == "-" {
				continue
			}
			if tag == "" {
				tag = strings.ToLower(f.Name)
			}
			if err := walk(v.Field(i), join(prefix, tag), fn); err != nil {
				return err
			}
		}
		return nil
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		for _, k := range v.MapKeys() {
			if k.Kind() != reflect.String {
				continue
			}
			elem := reflect.New(v.Type().Elem()).Elem()
			elem.Set(v.MapIndex(k))
			if err := walk(elem, join(prefix, k.String()), fn); err != nil {
				return err
			}
			v.SetMapIndex(k, elem)
		}
		return nil
	default:
		return fn(prefix, v)
	}
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// setValue parses raw into v according to v's kind.
func setValue(v reflect.Value, raw string) error {
	if v.Type() == reflect.TypeOf(time.Duration(0)) {
		d, err := time.ParseDuration(raw)
		if err != nil {
			return fmt.Errorf("not a duration like 10m: %q", raw)
		}
		v.SetInt(int64(d))
		return nil
	}
	if v.Kind() == reflect.Pointer {
		elem := reflect.New(v.Type().Elem())
		if err := setValue(elem.Elem(), raw); err != nil {
			return err
		}
		v.Set(elem)
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(raw)
	case reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return fmt.Errorf("not a boolean: %q", raw)
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return fmt.Errorf("not an integer: %q", raw)
		}
		v.SetInt(n)
	case reflect.Float64, reflect.Float32:
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return fmt.Errorf("not a number: %q", raw)
		}
		v.SetFloat(f)
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("unsupported list type")
		}
		parts := []string{}
		for _, p := range strings.Split(raw, ",") {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
		v.Set(reflect.ValueOf(parts))
	default:
		return fmt.Errorf("unsupported type %s", v.Type())
	}
	return nil
}
