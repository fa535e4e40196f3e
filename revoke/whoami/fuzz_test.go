package whoami

import (
	"testing"
)

// FuzzReadAnswer feeds arbitrary "who am I" answers to every issuer's verdict check and owner
// reader: they must not panic, and an answer that is not JSON is an error, never an owner.
func FuzzReadAnswer(f *testing.F) {
	for _, seed := range []string{
		`{"type":"user","id":"1","name":"jdoe","email":"j@example.com","auth":{"accessToken":{"role":"write"}}}`,
		`{"ok":true,"result":{"id":9007199254740993,"username":"bot"}}`,
		`{"success":true,"result":{"id":"x","status":"active"}}`,
		`{"valid":true}`, `{"scopes":["mail.send"]}`, `{"scopes":"a b"}`, `{"user":{"id":null}}`,
		`[]`, `null`, `"x"`, `{"result":[1,2]}`, `{"account":{"team":"flat"}}`, `not json`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		doc, err := decode(body)
		if err != nil {
			return
		}
		for _, s := range Specs {
			if c := s.Check; c != nil {
				lookup(doc, c.Path)
			}
			id, err := s.Owner.read(doc)
			if err == nil && s.Owner.ID != "" && id.ID == "" {
				t.Errorf("%s: owner without the id its spec requires", s.Name)
			}
		}
	})
}
