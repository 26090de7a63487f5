package watchdog

import (
	"log/slog"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

// stuckAfter stands for the gateway's LoopStuckAfter.
const stuckAfter = 5 * time.Second

func TestLoopsStuck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := New(slog.New(slog.DiscardHandler))
		cam1, cam2 := h.Heartbeat("cam1"), h.Heartbeat("cam2")
		cam1("rtp")
		cam1("rtcp")
		cam2("rtp")
		tests := []struct {
			name  string
			after time.Duration // time passes, then step runs
			step  func()
			want  []string
		}{
			{"all fresh", time.Second, func() {}, nil},
			{"cam2 silent", stuckAfter + time.Second, func() { cam1("rtp"); cam1("rtcp") }, []string{"cam2/rtp"}},
			{"cam2 back", 0, func() { cam2("rtp") }, nil},
			{"cam1 removed, its late beat ignored", 0, func() { h.Forget("cam1"); cam1("rtp") }, nil},
			{"no stale cam1 later", stuckAfter + time.Second, func() { cam2("rtp") }, nil},
			{"cam2's old source beats after its replacement", 0, func() {
				h.Forget("cam2")
				h.Heartbeat("cam2")("rtp")
				cam2("rtcp")
			}, nil},
			{"only the new cam2 counts", stuckAfter + time.Second, func() {}, []string{"cam2/rtp"}},
		}
		for _, tt := range tests {
			time.Sleep(tt.after)
			tt.step()
			if got := h.Stuck(time.Now(), stuckAfter); !slices.Equal(got, tt.want) {
				t.Errorf("%s: stuck %v, want %v", tt.name, got, tt.want)
			}
		}
	})
}

// TestHealthStall checks the fault-injection switch: beats pass until it
// fires, then block until the stream's source is forgotten, and the
// blocked loop counts as stuck.
func TestLoopsStall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := New(slog.New(slog.DiscardHandler))
		beat := h.Heartbeat("cam1")
		h.SetStall(3 * time.Second)
		beat("rtp") // before the stall: returns
		time.Sleep(3 * time.Second)
		returned := make(chan struct{})
		go func() { beat("rtp"); close(returned) }()
		synctest.Wait()
		select {
		case <-returned:
			t.Fatal("a beat after stall_media_loop_after returned")
		default:
		}
		time.Sleep(stuckAfter + time.Second)
		if got := h.Stuck(time.Now(), stuckAfter); !slices.Equal(got, []string{"cam1/rtp"}) {
			t.Errorf("stuck %v, want the stalled loop", got)
		}
		h.ForgetAll()
		<-returned
	})
}
