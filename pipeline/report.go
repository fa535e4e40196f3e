package pipeline

import "github.com/patrolsec/patrol/report"

// Entries converts results to report entries: verification status, owner (id, name or login,
// e-mail, org or tenant) and checked_at; revocation status, reason and time.
func Entries(results []Result) []report.Entry {
	out := make([]report.Entry, len(results))
	for i, r := range results {
		out[i].Finding = r.Finding
		if v := r.Verification; v != nil {
			rv := &report.Verification{Status: string(v.Status), CheckedAt: v.CheckedAt.UTC()}
			id := v.Identity
			o := report.Owner{ID: id.ID, Name: first(id.Name, id.Login), Email: id.Email, Org: first(id.Org, id.Tenant)}
			if o != (report.Owner{}) {
				rv.Owner = &o
			}
			out[i].Verification = rv
		}
		if rv := r.Revocation; rv != nil {
			out[i].Revocation = &report.Revocation{Status: string(rv.Status), Reason: rv.Reason, At: rv.At.UTC()}
		}
	}
	return out
}

func first(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
