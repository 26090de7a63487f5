package main

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/coreos/go-systemd/v22/journal"
)

// journalHandler is a slog.Handler that writes each record to the systemd
// journal natively, its attributes as journal fields: `log.Info("stream
// configured", "stream", "cam1")` becomes STREAM=cam1 and PRIORITY=6, so
// `journalctl -u mediagate STREAM=cam1` selects one stream's lines. Group
// names prefix keys (API_STATUS). MESSAGE carries the attributes too, as
// key=value after the text, so that the plain `journalctl` view shows them.
type journalHandler struct {
	level  slog.Leveler
	send   func(msg string, p journal.Priority, fields map[string]string) error
	attrs  []slog.Attr
	prefix string // the open groups, as a field-name prefix ("API_")
	// fallback receives a record that the journal refused.
	fallback slog.Handler
}

// newJournalHandler returns a handler that sends to the journal at level.
func newJournalHandler(level slog.Leveler, fallback slog.Handler) *journalHandler {
	return &journalHandler{level: level, send: journal.Send, fallback: fallback}
}

// Enabled reports whether l is at or above the handler's level.
func (h *journalHandler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.level.Level()
}

// Handle sends r to the journal, or to the fallback if that fails.
func (h *journalHandler) Handle(ctx context.Context, r slog.Record) error {
	fields := map[string]string{"SYSLOG_IDENTIFIER": "mediagate"}
	var text strings.Builder
	text.WriteString(r.Message)
	add := func(prefix string, a slog.Attr) {
		addField(fields, prefix, a)
		appendText(&text, prefix, a)
	}
	for _, a := range h.attrs {
		add("", a)
	}
	r.Attrs(func(a slog.Attr) bool {
		add(h.prefix, a)
		return true
	})
	if err := h.send(text.String(), priority(r.Level), fields); err != nil {
		return h.fallback.Handle(ctx, r)
	}
	return nil
}

// WithAttrs returns a handler that adds attrs to every record.
func (h *journalHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = slices.Clone(h.attrs)
	for _, a := range attrs {
		c.attrs = append(c.attrs, slog.Group(strings.TrimSuffix(h.prefix, "_"), a))
	}
	c.fallback = h.fallback.WithAttrs(attrs)
	return &c
}

// WithGroup returns a handler that puts later attributes under name.
func (h *journalHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.prefix = h.prefix + fieldName(name) + "_"
	c.fallback = h.fallback.WithGroup(name)
	return &c
}

// addField adds a (resolved) to fields under prefix, flattening groups.
// A later attribute with the same name wins, as journalctl shows only one.
func addField(fields map[string]string, prefix string, a slog.Attr) {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		p := prefix
		if a.Key != "" {
			p += fieldName(a.Key) + "_"
		}
		for _, ga := range v.Group() {
			addField(fields, p, ga)
		}
		return
	}
	if a.Key == "" {
		return
	}
	fields[prefix+fieldName(a.Key)] = v.String()
}

// appendText appends a (resolved) to a message as " key=value", groups
// flattened into dotted keys; values with spaces or quotes are quoted.
func appendText(b *strings.Builder, prefix string, a slog.Attr) {
	v := a.Value.Resolve()
	key := strings.ToLower(strings.ReplaceAll(prefix, "_", ".")) + a.Key
	if v.Kind() == slog.KindGroup {
		p := prefix
		if a.Key != "" {
			p += fieldName(a.Key) + "_"
		}
		for _, ga := range v.Group() {
			appendText(b, p, ga)
		}
		return
	}
	if a.Key == "" {
		return
	}
	s := v.String()
	if s == "" || strings.ContainsAny(s, " \t\n\"=") {
		s = strconv.Quote(s)
	}
	b.WriteString(" " + key + "=" + s)
}

// fieldName turns an attribute key into a journal field name: upper case
// letters, digits and underscores, starting with a letter (fields starting
// with "_" are the journal's own, trusted ones).
func fieldName(key string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(key) {
		switch {
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	name := strings.TrimLeft(b.String(), "_0123456789")
	if name == "" {
		return "FIELD"
	}
	return name
}

// priority maps a slog level to a syslog priority (sd-journal's PRIORITY).
func priority(l slog.Level) journal.Priority {
	switch {
	case l >= slog.LevelError:
		return journal.PriErr
	case l >= slog.LevelWarn:
		return journal.PriWarning
	case l >= slog.LevelInfo:
		return journal.PriInfo
	default:
		return journal.PriDebug
	}
}
