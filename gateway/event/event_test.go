package event

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestBusDeliversInOrderAndLogs(t *testing.T) {
	var logs bytes.Buffer
	bus := New(slog.New(slog.NewTextHandler(&logs, nil)))
	ch, cancel := bus.Subscribe(4)
	defer cancel()
	bus.Publish(Event{Type: StreamUp, Stream: "cam1"})
	bus.Publish(Event{Type: ViewerJoin, Stream: "cam1", Data: map[string]string{"viewer": "ab12"}})
	for _, want := range []Type{StreamUp, ViewerJoin} {
		e := <-ch
		if e.Type != want || e.Time.IsZero() {
			t.Fatalf("got %+v, want %s with a time", e, want)
		}
	}
	if !strings.Contains(logs.String(), "event=viewer.join") || !strings.Contains(logs.String(), "viewer=ab12") {
		t.Errorf("log lacks the event: %s", logs.String())
	}
}

func TestSlowSubscriberLosesEventsWithoutBlocking(t *testing.T) {
	bus := New(nil)
	slow, cancelSlow := bus.Subscribe(1)
	defer cancelSlow()
	fast, cancelFast := bus.Subscribe(8)
	defer cancelFast()
	for range 3 {
		bus.Publish(Event{Type: StreamDown})
	}
	if got := bus.Dropped(); got != 2 {
		t.Errorf("Dropped = %d, want 2", got)
	}
	if len(slow) != 1 || len(fast) != 3 {
		t.Errorf("queued slow=%d fast=%d, want 1 and 3", len(slow), len(fast))
	}
}

func TestUnsubscribe(t *testing.T) {
	bus := New(nil)
	ch, cancel := bus.Subscribe(2)
	cancel()
	cancel() // idempotent
	bus.Publish(Event{Type: StreamUp})
	if len(ch) != 0 {
		t.Fatal("cancelled subscription received an event")
	}
}
