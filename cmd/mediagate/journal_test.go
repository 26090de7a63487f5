package main

import (
	"errors"
	"log/slog"
	"maps"
	"strings"
	"testing"

	"github.com/coreos/go-systemd/v22/journal"
)

func TestFieldName(t *testing.T) {
	tests := []struct{ key, want string }{
		{"stream", "STREAM"},
		{"err", "ERR"},
		{"debug.stall_media_loop_after", "DEBUG_STALL_MEDIA_LOOP_AFTER"},
		{"_private", "PRIVATE"},
		{"9lives", "LIVES"},
		{"ünïcode", "N_CODE"},
		{"", "FIELD"},
	}
	for _, tt := range tests {
		if got := fieldName(tt.key); got != tt.want {
			t.Errorf("fieldName(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

// sent is one record as the journal would receive it.
type sent struct {
	msg    string
	pri    journal.Priority
	fields map[string]string
}

func TestJournalHandler(t *testing.T) {
	tests := []struct {
		name string
		log  func(*slog.Logger)
		want sent
	}{
		{"attributes become fields", func(l *slog.Logger) {
			l.Info("stream configured", "stream", "cam1", "listen", "0.0.0.0:5004")
		}, sent{"stream configured stream=cam1 listen=0.0.0.0:5004", journal.PriInfo,
			map[string]string{"STREAM": "cam1", "LISTEN": "0.0.0.0:5004"}}},
		{"scoped logger and quoting", func(l *slog.Logger) {
			l.With("component", "ingest").Warn("read failed", "err", errors.New("no buffer space"))
		}, sent{`read failed component=ingest err="no buffer space"`, journal.PriWarning,
			map[string]string{"COMPONENT": "ingest", "ERR": "no buffer space"}}},
		{"groups prefix their keys", func(l *slog.Logger) {
			l.WithGroup("api").Error("refused", slog.Group("client", "ip", "192.0.2.1"), "status", 401)
		}, sent{"refused api.client.ip=192.0.2.1 api.status=401", journal.PriErr,
			map[string]string{"API_CLIENT_IP": "192.0.2.1", "API_STATUS": "401"}}},
		{"debug is below the level", func(l *slog.Logger) { l.Debug("noise") }, sent{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []sent
			h := newJournalHandler(slog.LevelInfo, slog.DiscardHandler)
			h.send = func(msg string, p journal.Priority, fields map[string]string) error {
				got = append(got, sent{msg, p, fields})
				return nil
			}
			tt.log(slog.New(h))
			if tt.want.msg == "" {
				if len(got) != 0 {
					t.Fatalf("sent %v, want nothing", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("sent %d records, want 1", len(got))
			}
			tt.want.fields["SYSLOG_IDENTIFIER"] = "mediagate"
			if got[0].msg != tt.want.msg || got[0].pri != tt.want.pri || !maps.Equal(got[0].fields, tt.want.fields) {
				t.Errorf("sent %+v\nwant %+v", got[0], tt.want)
			}
		})
	}
}

// TestJournalHandlerFallback checks that a record the journal refuses is
// written by the fallback handler instead of being lost.
func TestJournalHandlerFallback(t *testing.T) {
	var b strings.Builder
	h := newJournalHandler(slog.LevelInfo, slog.NewTextHandler(&b, nil))
	h.send = func(string, journal.Priority, map[string]string) error { return errors.New("no journal") }
	slog.New(h).With("stream", "cam1").Info("hello")
	if !strings.Contains(b.String(), "msg=hello stream=cam1") {
		t.Errorf("fallback wrote %q", b.String())
	}
}
