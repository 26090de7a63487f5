package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const (
	adminToken  = "admin-token-0123456789"
	viewerToken = "viewer-token-0123456789"
)

// secretConfig loads a config holding an admin token, a viewer token and an
// SRTP key, and returns it with the secret strings.
func secretConfig(t *testing.T) (*Config, []string) {
	t.Helper()
	key := srtpKey(30, true)
	doc := "[http]\nadmin_token = \"" + adminToken + "\"\n" +
		stream(cam1+"viewer_token = \""+viewerToken+"\"", h264+srtpTable("AES_CM_128_HMAC_SHA1_80", key))
	cfg, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return cfg, []string{adminToken, viewerToken, key}
}

func assertNoSecret(t *testing.T, what, out string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("%s shows secret %q:\n%s", what, s, out)
		}
	}
}

func TestSecretFormatting(t *testing.T) {
	s := Secret("hunter2-hunter2-hunter2")
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10s", "%T"} {
		out := fmt.Sprintf(verb, s)
		assertNoSecret(t, verb, out, []string{"hunter2", "68756e74657232"})
	}
	if got := fmt.Sprint(s); got != "[redacted]" {
		t.Errorf("Sprint = %q", got)
	}
	if got := fmt.Sprintf("%q", s); got != `"[redacted]"` {
		t.Errorf("%%q = %q", got)
	}
	if got := fmt.Sprint(Secret("")); got != "" {
		t.Errorf("empty secret prints %q", got)
	}
	if s.Reveal() != "hunter2-hunter2-hunter2" || !s.IsSet() || Secret("").IsSet() {
		t.Error("Reveal or IsSet wrong")
	}
	text, _ := s.MarshalText()
	if string(text) != "[redacted]" {
		t.Errorf("MarshalText = %q", text)
	}
}

func TestSecretsRedactedInLogs(t *testing.T) {
	cfg, secrets := secretConfig(t)
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewJSONHandler(&buf, nil), slog.NewTextHandler(&buf, nil)} {
		log := slog.New(h)
		log.Info("loaded", "config", cfg)
		log.Info("loaded", "config", *cfg, "stream", cfg.Streams[0], "srtp", cfg.Streams[0].SRTP)
		log.Info("token", "admin", cfg.HTTP.AdminToken, "key", cfg.Streams[0].SRTP.Key)
	}
	out := buf.String()
	assertNoSecret(t, "slog output", out, secrets)
	if !strings.Contains(out, "[redacted]") {
		t.Errorf("slog output shows no redaction:\n%s", out)
	}
	// The JSON handler must still log the config itself, not an error.
	if !strings.Contains(out, `"Listen":"127.0.0.1:5004"`) {
		t.Errorf("JSON log lacks the config:\n%s", out)
	}
}

func TestSecretsRedactedInFormatsAndJSON(t *testing.T) {
	cfg, secrets := secretConfig(t)
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		assertNoSecret(t, verb, fmt.Sprintf(verb, *cfg), secrets)
		assertNoSecret(t, verb+" stream", fmt.Sprintf(verb, cfg.Streams[0]), secrets)
		assertNoSecret(t, verb+" srtp", fmt.Sprintf(verb, *cfg.Streams[0].SRTP), secrets)
	}
	data, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, "JSON", string(data), secrets)
}

// TestSecretsAbsentFromErrors: no problem about a secret, nor a syntax
// error on its line, quotes it.
func TestSecretsAbsentFromErrors(t *testing.T) {
	const shortToken = "tok-Zq9"
	badKey := srtpKey(20, true)
	cases := []string{
		"[http]\nadmin_token = \"" + shortToken + "\"\n" + valid,
		stream(cam1+"viewer_token = \""+shortToken+"\"", h264),
		stream(cam1, h264+srtpTable("AES_CM_128_HMAC_SHA1_80", badKey)),
		stream(cam1, h264+srtpTable("AES_256_CM_HMAC_SHA1_80", badKey)),
		stream(cam1, h264+srtpTable("NULL_HMAC_SHA1_80", badKey)),
		stream(cam1, h264+srtpTable("AES_CM_128_HMAC_SHA1_80", "*"+badKey)),
		stream(cam1, h264+"[stream.srtp]\nkey = \""+badKey+"\"\nkey = \""+badKey+"\""),
		stream(cam1, h264+"[stream.srtp]\nkey = \""+badKey+"\\q\""),
		stream(cam1, h264+"[stream.srtp]\nkey = \""+badKey),
		stream(cam1, h264+"[stream.srtp]\nkey = "+badKey),
	}
	for i, doc := range cases {
		_, err := Parse([]byte(doc))
		if err == nil {
			t.Fatalf("case %d parsed", i)
		}
		assertNoSecret(t, fmt.Sprintf("case %d error", i), err.Error(), []string{shortToken, badKey, badKey[:12]})
	}
}

func TestDuration(t *testing.T) {
	var d Duration
	if err := d.UnmarshalText([]byte("250ms")); err != nil || d.D().Milliseconds() != 250 {
		t.Fatalf("250ms: %v, %v", d, err)
	}
	text, _ := Duration(90e9).MarshalText()
	if string(text) != "1m30s" {
		t.Errorf("MarshalText = %q", text)
	}
	for _, c := range []struct {
		in   any
		want string
	}{
		{int64(30), "a bare integer would be nanoseconds (got 30)"},
		{"30", `"30" has no unit`},
		{"5 s", "is not a duration"},
		{1.5, "got a TOML float"},
		{true, "got a TOML boolean"},
	} {
		err := d.UnmarshalTOML(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("UnmarshalTOML(%v) = %v, want %q", c.in, err, c.want)
		}
	}
}
