package signal

import (
	"testing"
	"testing/synctest"
	"time"
)

// TestFailureThrottle: a client may fail burst times, then waits; another
// client is not affected; the wait ends when a token is back.
func TestFailureThrottle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := NewFailureThrottle(0.5, 3)
		for range 3 {
			if d := f.Wait("192.0.2.1:1"); d != 0 {
				t.Fatalf("wait %v within the burst", d)
			}
			f.Failed("192.0.2.1:1")
		}
		if d := f.Wait("192.0.2.1:2"); d != 2*time.Second {
			t.Fatalf("wait after the burst %v, want 2s", d)
		}
		if d := f.Wait("192.0.2.2:1"); d != 0 {
			t.Fatalf("another client waits %v", d)
		}
		time.Sleep(2 * time.Second)
		if d := f.Wait("192.0.2.1:1"); d != 0 {
			t.Fatalf("wait %v after Retry-After", d)
		}
		var none *FailureThrottle
		none.Failed("x")
		if none.Wait("x") != 0 {
			t.Fatal("a nil throttle throttles")
		}
	})
}
