package config

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

func mustParse(t *testing.T, doc string) *Config {
	t.Helper()
	cfg, err := Parse([]byte(doc))
	if err != nil {
		t.Fatalf("Parse:\n%v", err)
	}
	return cfg
}

func TestDiff(t *testing.T) {
	cam2 := stream("name = \"cam2\"\nlisten = \"127.0.0.1:5006\"", h264)
	cam3 := stream("name = \"cam3\"\nlisten = \"127.0.0.1:5008\"", "[stream.audio]\ncodec = \"opus\"")
	cases := []struct {
		name                    string
		from, to                string
		added, removed, changed []string
		settings                []Setting
	}{
		{name: "same", from: valid + cam2, to: valid + cam2},
		{name: "reordered", from: valid + cam2, to: cam2 + valid},
		{name: "default written out", from: valid, to: "[webrtc]\nudp_port = 8189\ninterfaces = []\n" + valid},
		{name: "stream added", from: valid, to: valid + cam2 + cam3, added: []string{"cam2", "cam3"}},
		{name: "stream removed", from: valid + cam2, to: valid, removed: []string{"cam2"}},
		{name: "stream changed", from: valid + cam2, to: stream(cam1+"max_viewers = 5", h264) + cam2, changed: []string{"cam1"}},
		{name: "stream key changed", from: stream(cam1, h264+srtpTable("AES_CM_128_HMAC_SHA1_80", srtpKey(30, true))),
			to: stream(cam1, h264+srtpTable("AES_CM_128_HMAC_SHA1_80", strings.Repeat("A", 40))), changed: []string{"cam1"}},
		{name: "renamed", from: valid, to: stream("name = \"cam9\"\nlisten = \"127.0.0.1:5004\"", h264),
			added: []string{"cam9"}, removed: []string{"cam1"}},
		{name: "live settings", from: valid, to: "[log]\nlevel = \"debug\"\n[http]\nadmin_token = \"0123456789abcdef\"\n[webrtc]\nmax_sessions = 10\n" + valid,
			settings: []Setting{{"log.level", false}, {"http.admin_token", false}, {"webrtc.max_sessions", false}}},
		{name: "restart settings", from: valid, to: "[http]\nlisten = \"127.0.0.1:8080\"\n[webrtc]\nudp_port = 9000\n[ingest]\nread_buffer = 4096\n" + valid,
			settings: []Setting{{"http.listen", true}, {"webrtc.udp_port", true}, {"ingest.read_buffer", true}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch := Diff(mustParse(t, c.from), mustParse(t, c.to))
			if !slices.Equal(ch.Added, c.added) || !slices.Equal(ch.Removed, c.removed) || !slices.Equal(ch.Changed, c.changed) {
				t.Errorf("streams +%v -%v ~%v, want +%v -%v ~%v", ch.Added, ch.Removed, ch.Changed, c.added, c.removed, c.changed)
			}
			if !slices.Equal(ch.Settings, c.settings) {
				t.Errorf("settings %v, want %v", ch.Settings, c.settings)
			}
			if ch.Empty() != (c.added == nil && c.removed == nil && c.changed == nil && c.settings == nil) {
				t.Errorf("Empty() = %v", ch.Empty())
			}
		})
	}
}

func TestDiffRestartRequired(t *testing.T) {
	ch := Changes{Settings: []Setting{{"log.level", false}, {"http.listen", true}, {"webrtc.tcp_port", true}}}
	if got := ch.RestartRequired(); !slices.Equal(got, []string{"http.listen", "webrtc.tcp_port"}) {
		t.Errorf("RestartRequired = %v", got)
	}
	if got := Diff(nil, mustParse(t, valid)); !slices.Equal(got.Added, []string{"cam1"}) || len(got.RestartRequired()) == 0 {
		t.Errorf("Diff(nil, cfg) = %+v", got)
	}
	if got := Diff(mustParse(t, valid), mustParse(t, valid)).RestartRequired(); got != nil {
		t.Errorf("RestartRequired of no change = %v", got)
	}
}

// TestDiffCoversEverySetting keeps settingKeys in step with the schema:
// every global key must be compared.
func TestDiffCoversEverySetting(t *testing.T) {
	var keys []string
	for _, s := range settingKeys {
		keys = append(keys, s.key)
	}
	for _, section := range []reflect.Type{reflect.TypeFor[Log](), reflect.TypeFor[HTTP](), reflect.TypeFor[WebRTC](), reflect.TypeFor[Ingest]()} {
		f, _ := fieldByType(section)
		for _, key := range schemaKeys(section, f) {
			if !slices.Contains(keys, key) {
				t.Errorf("Diff does not compare %s", key)
			}
		}
	}
}

// fieldByType returns the TOML key of Config's field of type t.
func fieldByType(t reflect.Type) (string, bool) {
	ct := reflect.TypeFor[Config]()
	for i := range ct.NumField() {
		if ct.Field(i).Type == t {
			return tomlTag(ct.Field(i)), true
		}
	}
	return "", false
}
