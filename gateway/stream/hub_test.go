package stream

import (
	"slices"
	"testing"
)

// change is one call of a Watch function.
type change struct {
	name string
	st   *Stream
}

// TestHubWatch checks that watchers hear of every addition and removal,
// in order, with the hub usable from inside the call, and nothing after
// they stop.
func TestHubWatch(t *testing.T) {
	h := NewHub()
	var got []change
	var sawGet []*Stream
	stop := h.Watch(func(name string, st *Stream) {
		got = append(got, change{name, st})
		sawGet = append(sawGet, h.Get(name)) // no hub lock is held
	})
	other := 0
	stopOther := h.Watch(func(string, *Stream) { other++ })

	first, second := New("cam", nil, nil, nil), New("cam", nil, nil, nil)
	if err := h.Add(first); err != nil {
		t.Fatal(err)
	}
	if err := h.Add(New("cam", nil, nil, nil)); err == nil {
		t.Fatal("duplicate Add succeeded")
	}
	h.Remove("cam")
	h.Remove("cam") // nothing there: no call
	if err := h.Add(second); err != nil {
		t.Fatal(err)
	}
	want := []change{{"cam", first}, {"cam", nil}, {"cam", second}}
	if !slices.Equal(got, want) || !slices.Equal(sawGet, []*Stream{first, nil, second}) {
		t.Fatalf("watcher saw %v (Get %v), want %v", got, sawGet, want)
	}
	if other != 3 {
		t.Errorf("second watcher called %d times, want 3", other)
	}

	stop()
	stop()
	h.Remove("cam")
	if len(got) != 3 {
		t.Errorf("watcher called after stop: %v", got[3:])
	}
	if other != 4 {
		t.Errorf("remaining watcher called %d times, want 4", other)
	}
	stopOther()
}
