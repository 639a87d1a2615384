package config

import (
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// Masked is what a secret shows as in `visitbot config print`.
const Masked = "******"

// Redacted returns a copy of c with every `secret:"true"` field masked (empty
// secrets stay empty so an operator sees what is unset), and the MySQL DSN's
// password masked while its host and database stay visible.
func (c Config) Redacted() Config {
	out := c
	out.Ranking = c.Ranking.clone()
	maskSecrets(reflect.ValueOf(&out).Elem())
	if c.Database.DSN != "" && c.Database.Driver == "mysql" {
		out.Database.DSN = maskDSN(c.Database.DSN)
	} else {
		out.Database.DSN = c.Database.DSN
	}
	return out
}

func maskSecrets(v reflect.Value) {
	if v.Kind() != reflect.Struct {
		return
	}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		fv := v.Field(i)
		if f.Tag.Get("secret") == "true" && fv.Kind() == reflect.String && fv.String() != "" {
			fv.SetString(Masked)
			continue
		}
		if f.Tag.Get("secret") == "true" && fv.Kind() == reflect.Map && !fv.IsNil() {
			masked := reflect.MakeMap(fv.Type())
			for _, k := range fv.MapKeys() {
				masked.SetMapIndex(k, reflect.ValueOf(Masked))
			}
			fv.Set(masked)
			continue
		}
		if fv.Kind() == reflect.Struct {
			maskSecrets(fv)
		}
	}
}

// maskDSN hides the password in user:pass@tcp(host)/db.
func maskDSN(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	if at < 0 {
		return dsn
	}
	cred := dsn[:at]
	if i := strings.Index(cred, ":"); i >= 0 {
		return cred[:i] + ":" + Masked + dsn[at:]
	}
	return dsn
}

// YAML renders the redacted config as YAML for `visitbot config print`.
func (c Config) YAML() (string, error) {
	b, err := yaml.Marshal(c.Redacted())
	if err != nil {
		return "", err
	}
	return string(b), nil
}
