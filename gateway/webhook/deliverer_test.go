package webhook

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"mediagate.dev/mediagate/gateway/event"
)

// delivery is what the test receiver saw of one request.
type delivery struct {
	payload
	verifyErr error
	header    http.Header
}

// TestDeliversSignedJSON runs a real receiver on loopback: events come as
// JSON in order, filtered, with signatures that Verify accepts. The
// filtered-out source.latched is published between two selected events, so
// delivering it would break the expected order.
func TestDeliversSignedJSON(t *testing.T) {
	got := make(chan delivery, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		d := delivery{header: r.Header.Clone()}
		d.verifyErr = Verify(testSecret, r.Header.Get(SignatureHeader), r.Header.Get(TimestampHeader), body,
			time.Minute, time.Now())
		if err := json.Unmarshal(body, &d.payload); err != nil {
			d.verifyErr = err
		}
		got <- d
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	bus := event.New(nil)
	events, cancel := bus.Subscribe(64)
	defer cancel()
	d := &Deliverer{Metrics: NewMetrics(prometheus.NewRegistry())}
	d.SetReceivers([]Receiver{{URL: srv.URL + "/hook?token=x", Secret: testSecret,
		Events: []string{"stream.*", "viewer.*"}}})
	ctx, stop := context.WithCancel(context.Background())
	go d.Run(ctx, events)
	defer stop()

	bus.Publish(event.Event{Type: event.StreamUp, Stream: "cam1"})
	bus.Publish(event.Event{Type: event.SourceLatched, Stream: "cam1"})
	bus.Publish(event.Event{Type: event.ViewerJoin, Stream: "cam1", Data: map[string]string{"viewer": "v1"}})
	bus.Publish(event.Event{Type: event.StreamDown, Stream: "cam1"})

	ids := map[string]bool{}
	for _, want := range []event.Type{event.StreamUp, event.ViewerJoin, event.StreamDown} {
		select {
		case d := <-got:
			if d.verifyErr != nil {
				t.Fatalf("%s: %v", want, d.verifyErr)
			}
			if d.Type != want || d.Stream != "cam1" || d.header.Get(EventHeader) != string(want) ||
				d.header.Get(DeliveryHeader) != d.ID || d.header.Get("Content-Type") != "application/json" {
				t.Fatalf("got %+v (headers %v), want %s", d.payload, d.header, want)
			}
			if ids[d.ID] || len(d.ID) != 32 {
				t.Errorf("delivery ID %q repeated or malformed", d.ID)
			}
			ids[d.ID] = true
		case <-time.After(5 * time.Second):
			t.Fatalf("no %s within 5s", want)
		}
	}
	// The worker counts after it has read the answer, a moment after the
	// receiver saw the request.
	deadline := time.Now().Add(5 * time.Second)
	for count(d.Metrics, srv.URL+"/hook", resultDelivered) != 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := count(d.Metrics, srv.URL+"/hook", resultDelivered); n != 3 {
		t.Errorf("delivered counter %d, want 3 (label without query)", n)
	}
	d.Close()
}
