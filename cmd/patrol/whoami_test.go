package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestScanVerifyWhoamiIssuers plants a Hugging Face token and a Telegram bot token in a real
// repository and scans it with --verify --revoke --yes against fakes that serve only each
// issuer's documented "who am I" call: both are verified live with their owner, neither is
// revoked (neither issuer documents a self-revoke), the report says why, and no output holds
// a token or the Telegram URL that carries one.
func TestScanVerifyWhoamiIssuers(t *testing.T) {
	t.Parallel()
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	hf := "hf" + "_" + randString(6001, letters, 34)
	tg := randString(6002, "123456789", 10) + ":A" + randString(6003, letters+"0123456789_-", 34)
	var hfCalls, tgCalls atomic.Int64
	strict := func(route string, calls *atomic.Int64, h http.HandlerFunc) *httptest.Server {
		mux := http.NewServeMux()
		mux.HandleFunc(route, func(w http.ResponseWriter, r *http.Request) { calls.Add(1); h(w, r) })
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			t.Errorf("off-contract request: %s %s", r.Method, r.URL.Path)
			http.NotFound(w, r)
		})
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		return srv
	}
	hfSrv := strict("GET /api/whoami-v2", &hfCalls, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+hf {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "Invalid credentials in Authorization header"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"type": "user", "id": "62f264b9", "name": "jdoe", "fullname": "Jane Doe", "email": "jdoe@example.com"})
	})
	tgSrv := strict("GET /{bot}/getMe", &tgCalls, func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("bot") != "bot"+tg {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"ok": false, "error_code": 401, "description": "Unauthorized"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "result": map[string]any{"id": 7, "is_bot": true, "first_name": "Deploy", "username": "deploy_bot"}})
	})

	repo := t.TempDir()
	gitRun(t, repo, "init", "-q")
	os.WriteFile(filepath.Join(repo, "ml.env"), []byte("HF_TOKEN="+hf+"\nTELEGRAM_BOT_TOKEN="+tg+"\n"), 0o644)
	gitRun(t, repo, "add", ".")
	gitRun(t, repo, "commit", "-qm", "add config")
	cfgPath := filepath.Join(t.TempDir(), "patrol.yaml")
	os.WriteFile(cfgPath, []byte("providers:\n  huggingface: {base_url: "+hfSrv.URL+"/}\n  telegram: {base_url: "+tgSrv.URL+"/}\n"), 0o644)

	db := filepath.Join(t.TempDir(), "audit.db")
	code, out, errs := runPatrol(t, "", "scan", "-c", cfgPath, "-f", "json", "--verify", "--revoke", "--yes", "--store", db, repo)
	if code != 1 {
		t.Fatalf("exit = %d, want 1; stderr: %s", code, errs)
	}
	var got []struct {
		Detector     string `json:"detector"`
		Verification struct {
			Status string `json:"status"`
			Owner  struct{ ID, Email string }
		} `json:"verification"`
		Revocation struct{ Status, Reason string } `json:"revocation"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	want := map[string]string{"huggingface-token": "Hugging Face documents no API call", "telegram-bot-token": "Telegram documents no API call"}
	if len(got) != len(want) {
		t.Errorf("got %d findings, want %d: %s", len(got), len(want), out)
	}
	for _, g := range got {
		if g.Verification.Status != "live" || g.Revocation.Status != "skipped" || !strings.Contains(g.Revocation.Reason, want[g.Detector]) {
			t.Errorf("%s: verification %s, revocation %s (%s); want live, skipped naming why", g.Detector,
				g.Verification.Status, g.Revocation.Status, g.Revocation.Reason)
		}
	}
	if hfCalls.Load() != 1 || tgCalls.Load() != 1 {
		t.Errorf("who-am-I calls = %d (huggingface), %d (telegram), want 1 each", hfCalls.Load(), tgCalls.Load())
	}
	_, auditOut, _ := runPatrol(t, "", "audit", "--store", db, "-f", "json")
	if n := strings.Count(auditOut, `"revoke_attempt"`); n != 0 {
		t.Errorf("audit log has %d revoke attempts, want 0", n)
	}
	for _, s := range []string{hf, tg, "bot" + tg} {
		if strings.Contains(out+errs+auditOut, s) {
			t.Errorf("raw token in output")
		}
	}
	code, out, errs = runPatrol(t, "TELEGRAM_BOT_TOKEN="+tg+"\n", "verify", "-c", cfgPath, "-f", "json")
	if code != 1 || !strings.Contains(out, `"status": "live"`) || strings.Contains(out+errs, tg) {
		t.Errorf("verify = %d, %s %s; want exit 1, live, no token", code, out, errs)
	}
}
