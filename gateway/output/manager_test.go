package output

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/stream"
)

// receiver is a UDP socket on loopback standing in for an RTP receiver.
func receiver(t *testing.T) string {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c.LocalAddr().String()
}

// table is a [[stream]] table named cam with [stream.output] to address,
// or without it when address is empty.
func table(address string, pt int) config.Stream {
	sc := config.Stream{Name: "cam", Video: &config.Video{Codec: "vp8", PayloadType: pt}}
	if address != "" {
		sc.Output = &config.Output{Address: address, Listen: "127.0.0.1:0"}
	}
	return sc
}

func newTestManager(t *testing.T) (*Manager, *stream.Hub) {
	t.Helper()
	hub := stream.NewHub()
	m := NewManager(ManagerConfig{Hub: hub, Metrics: NewMetrics(prometheus.NewRegistry())})
	t.Cleanup(m.Close)
	return m, hub
}

func mustSync(t *testing.T, m *Manager, streams ...config.Stream) {
	t.Helper()
	if errs := m.Sync(streams); len(errs) > 0 {
		t.Fatal(errors.Join(errs...))
	}
}

// TestManagerSync checks that Sync starts an Output for a stream with the
// table, keeps it while nothing changed, restarts it when the table or a
// payload type changed and stops it when the table or the stream is gone.
func TestManagerSync(t *testing.T) {
	m, hub := newTestManager(t)
	a, b := receiver(t), receiver(t)
	mustSync(t, m, table(a, 97)) // no stream in the hub yet
	if m.Get("cam") != nil {
		t.Fatal("an Output started for a stream the hub does not have")
	}
	st := newTestStream("cam")
	if err := hub.Add(st); err != nil {
		t.Fatal(err)
	}
	mustSync(t, m, table(a, 97))
	first := m.Get("cam")
	if first == nil || first.Stream() != st || first.cfg.VideoPayloadType != 97 {
		t.Fatalf("Output %v after Sync: want one on the hub's stream with PT 97", first)
	}
	mustSync(t, m, table(a, 97))
	if m.Get("cam") != first {
		t.Fatal("an unchanged table restarted the Output")
	}
	for _, next := range []config.Stream{table(b, 97), table(b, 98)} {
		prev := m.Get("cam")
		mustSync(t, m, next)
		if o := m.Get("cam"); o == prev || o == nil || o.cfg.Remote.String() != next.Output.Address ||
			o.cfg.VideoPayloadType != uint8(next.Video.PayloadType) {
			t.Fatalf("after a change to %+v: Output %v, want a new one", *next.Output, o)
		}
	}
	mustSync(t, m, table("", 98))
	if m.Get("cam") != nil {
		t.Fatal("Output still running without its table")
	}
	mustSync(t, m, table(a, 97))
	hub.Remove("cam")
	mustSync(t, m, table(a, 97))
	if m.Get("cam") != nil {
		t.Fatal("Output still running without its stream")
	}
}

// TestManagerFollowsHub rebuilds a stream in the hub and checks that its
// Output moves to the new stream without a Sync.
func TestManagerFollowsHub(t *testing.T) {
	m, hub := newTestManager(t)
	old := newTestStream("cam")
	if err := hub.Add(old); err != nil {
		t.Fatal(err)
	}
	mustSync(t, m, table(receiver(t), 97))
	o := m.Get("cam")
	hub.Remove("cam")
	if o.Stream() != old || m.Get("cam") != o {
		t.Fatal("a removal moved or stopped the Output")
	}
	next := newTestStream("cam")
	if err := hub.Add(next); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the Output on the new stream", func() bool {
		return o.Stream() == next && next.Video.Subscribers() == 1 && old.Video.Subscribers() == 0
	})
	if m.Get("cam") != o {
		t.Fatal("the Output was restarted, not moved")
	}
}

// TestManagerErrors checks that an Output that cannot start is reported
// with its stream and key, and that the others start.
func TestManagerErrors(t *testing.T) {
	m, hub := newTestManager(t)
	bad, good := table("127.0.0.1:99999", 97), table(receiver(t), 97)
	good.Name = "ok"
	for _, name := range []string{"cam", "ok"} {
		if err := hub.Add(newTestStream(name)); err != nil {
			t.Fatal(err)
		}
	}
	errs := m.Sync([]config.Stream{bad, good})
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), `stream "cam": output.address:`) {
		t.Fatalf("Sync errors %v: want one naming stream cam's output.address", errs)
	}
	if m.Get("ok") == nil || m.Get("cam") != nil {
		t.Fatal("want an Output for ok alone")
	}
	if _, ok := m.REMB("ok"); ok {
		t.Error("REMB reported before the receiver sent any")
	}
}

// TestManagerClose checks that Close stops every Output and the watch,
// that Sync does nothing afterwards, and that a nil Manager is empty.
func TestManagerClose(t *testing.T) {
	m, hub := newTestManager(t)
	st := newTestStream("cam")
	if err := hub.Add(st); err != nil {
		t.Fatal(err)
	}
	mustSync(t, m, table(receiver(t), 97))
	o := m.Get("cam")
	m.Close()
	m.Close()
	if m.Get("cam") != nil || st.Video.Subscribers() != 0 {
		t.Fatal("Output running after Close")
	}
	select {
	case <-o.stop:
	default:
		t.Fatal("Output not closed")
	}
	mustSync(t, m, table(receiver(t), 97))
	if m.Get("cam") != nil {
		t.Fatal("Sync after Close started an Output")
	}
	var none *Manager
	if none.Get("cam") != nil {
		t.Fatal("nil Manager has an Output")
	}
	if _, ok := none.REMB("cam"); ok {
		t.Fatal("nil Manager has a REMB")
	}
	none.Close()
}
