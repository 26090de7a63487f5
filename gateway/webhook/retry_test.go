package webhook

import (
	"net/http"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"mediagate.dev/mediagate/gateway/event"
)

const fakeURL = "http://hooks.invalid/mediagate"

// TestRetries drives one event through the retry policy under synctest:
// which answers are retried, after how long, and how the event ends.
func TestRetries(t *testing.T) {
	cases := []struct {
		name     string
		answers  []int  // status per attempt; 0 = transport error, -1 = hang until the timeout
		retryAft string // Retry-After on every answer
		attempts int    // MaxAttempts
		times    []time.Duration
		result   string
	}{
		{"ok at once", []int{200}, "", 5, []time.Duration{0}, resultDelivered},
		{"503 twice then 204", []int{503, 503, 204}, "", 5, []time.Duration{0, time.Second, 3 * time.Second}, resultDelivered},
		{"400 is final", []int{400}, "", 5, []time.Duration{0}, resultFailed},
		{"redirect is final", []int{302}, "", 5, []time.Duration{0}, resultFailed},
		{"429 honours Retry-After", []int{429, 200}, "10", 5, []time.Duration{0, 10 * time.Second}, resultDelivered},
		{"Retry-After capped", []int{503, 200}, "3600", 5, []time.Duration{0, 30 * time.Second}, resultDelivered},
		{"408 retried", []int{408, 200}, "", 5, []time.Duration{0, time.Second}, resultDelivered},
		{"transport errors until out of attempts", []int{0, 0, 0}, "", 3, []time.Duration{0, time.Second, 3 * time.Second}, resultFailed},
		{"timeout retried", []int{-1, 200}, "", 5, []time.Duration{0, 3 * time.Second}, resultDelivered},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rec := newRecorder()
				d, m := newDeliverer(t, roundTripFunc(func(r *http.Request) (*http.Response, error) {
					n := rec.note()
					switch status := c.answers[min(n, len(c.answers))-1]; status {
					case 0:
						return nil, errStatus
					case -1:
						<-r.Context().Done()
						return nil, r.Context().Err()
					default:
						return answer(r, status, c.retryAft), nil
					}
				}))
				d.SetReceivers([]Receiver{{URL: fakeURL, Secret: testSecret, MaxAttempts: c.attempts, Timeout: 2 * time.Second}})
				d.Deliver(event.Event{Type: event.StreamUp, Stream: "cam1"})
				time.Sleep(time.Minute)
				synctest.Wait()
				if got := rec.got(); !slices.Equal(got, c.times) {
					t.Errorf("attempts at %v, want %v", got, c.times)
				}
				if n := count(m, "http://hooks.invalid/mediagate", c.result); n != 1 {
					t.Errorf("%s = %d, want 1", c.result, n)
				}
				d.Close()
			})
		})
	}
}

// TestOrderKeptAcrossRetries: the second event waits until the first one
// is delivered, so a receiver sees events in the order they happened.
func TestOrderKeptAcrossRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var got []string
		fails := 2
		d, _ := newDeliverer(t, roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if r.Header.Get(EventHeader) == "stream.up" && fails > 0 {
				fails--
				return answer(r, 500, ""), nil
			}
			got = append(got, r.Header.Get(EventHeader))
			return answer(r, 200, ""), nil
		}))
		d.SetReceivers([]Receiver{{URL: fakeURL, Secret: testSecret}})
		d.Deliver(event.Event{Type: event.StreamUp})
		d.Deliver(event.Event{Type: event.ViewerJoin})
		time.Sleep(time.Minute)
		synctest.Wait()
		if want := []string{"stream.up", "viewer.join"}; !slices.Equal(got, want) {
			t.Errorf("delivered %v, want %v", got, want)
		}
		d.Close()
	})
}

// TestHangingReceiverNeverBlocks: a receiver that never answers fills its
// queue; Deliver keeps returning at once and the rest is dropped and
// counted, while another receiver gets every event.
func TestHangingReceiverNeverBlocks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		delivered := 0
		d, m := newDeliverer(t, roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if r.URL.Host == "hang.invalid" {
				<-r.Context().Done()
				return nil, r.Context().Err()
			}
			delivered++
			return answer(r, 200, ""), nil
		}))
		d.SetReceivers([]Receiver{
			{URL: "http://hang.invalid/", Secret: testSecret, QueueSize: 2, Timeout: time.Hour},
			{URL: "http://ok.invalid/", Secret: testSecret, QueueSize: 200},
		})
		start := time.Now()
		for range 100 {
			d.Deliver(event.Event{Type: event.ViewerJoin})
			synctest.Wait()
		}
		if took := time.Since(start); took != 0 {
			t.Errorf("100 deliveries took %v of fake time, want 0 (never blocking)", took)
		}
		if n := count(m, "http://hang.invalid/", resultDropped); n != 97 {
			t.Errorf("dropped %d, want 97 (1 in flight, 2 queued)", n)
		}
		if delivered != 100 {
			t.Errorf("the other receiver got %d events, want 100", delivered)
		}
		d.Close()
		if n := count(m, "http://hang.invalid/", resultDiscarded); n != 3 {
			t.Errorf("discarded at Close %d, want 3", n)
		}
	})
}

// TestSetReceiversKeepsUnchanged: a reload that keeps a receiver keeps its
// queue; one it removes is stopped.
func TestSetReceiversKeepsUnchanged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d, _ := newDeliverer(t, roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return answer(r, 200, ""), nil
		}))
		a := Receiver{URL: "http://a.invalid/", Secret: testSecret}
		b := Receiver{URL: "http://b.invalid/", Secret: testSecret}
		d.SetReceivers([]Receiver{a, b})
		before := d.targets[0]
		d.SetReceivers([]Receiver{a, {URL: "http://c.invalid/", Secret: testSecret}})
		if d.targets[0] != before {
			t.Error("an unchanged receiver got a new queue")
		}
		if len(d.targets) != 2 || d.targets[1].r.URL != "http://c.invalid/" {
			t.Errorf("targets after reload: %d", len(d.targets))
		}
		d.Close()
		d.Close()
		d.SetReceivers([]Receiver{a})
		if len(d.targets) != 0 {
			t.Error("SetReceivers after Close started a receiver")
		}
	})
}

func TestFilter(t *testing.T) {
	cases := []struct {
		events []string
		typ    event.Type
		want   bool
	}{
		{nil, event.SourceRejected, true},
		{[]string{"*"}, event.StreamDown, true},
		{[]string{"stream.up"}, event.StreamUp, true},
		{[]string{"stream.up"}, event.StreamDown, false},
		{[]string{"viewer.*"}, event.ViewerLeave, true},
		{[]string{"viewer.*"}, "viewerx.join", false},
		{[]string{"stream.*", "transcoding.*"}, "transcoding.active", true},
	}
	for _, c := range cases {
		if got := (Receiver{Events: c.events}).wants(c.typ); got != c.want {
			t.Errorf("%v wants %s = %v, want %v", c.events, c.typ, got, c.want)
		}
	}
}
