package stream

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"mediagate.dev/mediagate/gateway/event"
)

func packet(seq uint16) *Packet {
	p := &Packet{Payload: []byte{byte(seq)}}
	p.SequenceNumber = seq
	return p
}

func TestTrackFansOutInOrder(t *testing.T) {
	tr := NewTrack(Video, Codec{MimeType: "video/VP8", ClockRate: 90000})
	a, b := tr.Subscribe(8), tr.Subscribe(8)
	for i := range 5 {
		tr.Write(packet(uint16(i)))
	}
	for _, s := range []*Subscription{a, b} {
		for i := range 5 {
			if got := (<-s.Packets()).SequenceNumber; got != uint16(i) {
				t.Fatalf("packet %d: seq %d", i, got)
			}
		}
	}
	if tr.LastPacket().SequenceNumber != 4 {
		t.Errorf("LastPacket = %d, want 4", tr.LastPacket().SequenceNumber)
	}
}

func TestFullQueueDropsOnlyForThatSubscriber(t *testing.T) {
	tr := NewTrack(Video, Codec{})
	slow, fast := tr.Subscribe(2), tr.Subscribe(16)
	for i := range 10 {
		tr.Write(packet(uint16(i))) // never blocks, even though slow never reads
	}
	if got := slow.Dropped(); got != 8 {
		t.Errorf("slow dropped %d, want 8", got)
	}
	if got := fast.Dropped(); got != 0 {
		t.Errorf("fast dropped %d, want 0", got)
	}
	if got := len(fast.Packets()); got != 10 {
		t.Errorf("fast queued %d, want 10", got)
	}
}

func TestCloseUnsubscribes(t *testing.T) {
	tr := NewTrack(Audio, Codec{})
	s := tr.Subscribe(4)
	s.Close()
	s.Close() // idempotent
	select {
	case <-s.Done():
	default:
		t.Fatal("Done not closed")
	}
	tr.Write(packet(1))
	if len(s.Packets()) != 0 || tr.Subscribers() != 0 {
		t.Fatalf("closed subscription still receives (%d queued, %d subscribers)", len(s.Packets()), tr.Subscribers())
	}
}

// TestConcurrentWriteAndSubscribe runs writers against subscribers joining
// and leaving; -race checks the snapshot discipline.
func TestConcurrentWriteAndSubscribe(t *testing.T) {
	tr := NewTrack(Video, Codec{})
	stop := make(chan struct{})
	var writer sync.WaitGroup
	writer.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
				tr.Write(packet(uint16(i)))
			}
		}
	})
	var subscribers sync.WaitGroup
	for range 4 {
		subscribers.Go(func() {
			for range 200 {
				s := tr.Subscribe(4)
				<-s.Packets() // the writer runs until every subscriber is done
				s.Close()
			}
		})
	}
	subscribers.Wait()
	close(stop)
	writer.Wait()
	if n := tr.Subscribers(); n != 0 {
		t.Fatalf("%d subscribers left", n)
	}
}

func TestSenderClock(t *testing.T) {
	tr := NewTrack(Video, Codec{})
	if tr.SenderClock() != nil {
		t.Fatal("clock before any report")
	}
	tr.SetSenderClock(SenderClock{SSRC: 7, NTPTime: 1 << 32, RTPTime: 90000})
	if c := tr.SenderClock(); c.SSRC != 7 || c.RTPTime != 90000 {
		t.Fatalf("clock %+v", c)
	}
}

func TestStreamStateEvents(t *testing.T) {
	bus := event.New(nil)
	events, cancel := bus.Subscribe(8)
	defer cancel()
	st := New("cam", NewTrack(Video, Codec{}), nil, bus)
	st.SetUp(true, map[string]string{"remote": "127.0.0.1:5004"})
	st.SetUp(true, nil) // no change, no event
	st.SetUp(false, nil)
	for _, want := range []event.Type{event.StreamUp, event.StreamDown} {
		e := <-events
		if e.Type != want || e.Stream != "cam" {
			t.Fatalf("event %+v, want %s for cam", e, want)
		}
	}
	if len(events) != 0 {
		t.Fatalf("%d extra events", len(events))
	}
	if got := len(st.Tracks()); got != 1 {
		t.Errorf("Tracks() = %d, want 1", got)
	}
}

func TestKeyframeRequester(t *testing.T) {
	st := New("cam", nil, nil, nil)
	st.RequestKeyframe() // no requester: nothing happens
	n := 0
	st.SetKeyframeRequester(KeyframeRequesterFunc(func() { n++ }))
	st.RequestKeyframe()
	if n != 1 {
		t.Fatalf("requests = %d, want 1", n)
	}
}

func TestHub(t *testing.T) {
	h := NewHub()
	b, a := New("b", nil, nil, nil), New("a", nil, nil, nil)
	for _, s := range []*Stream{b, a} {
		if err := h.Add(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.Add(New("a", nil, nil, nil)); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate Add: %v, want ErrExists", err)
	}
	if l := h.List(); len(l) != 2 || l[0].Name != "a" || l[1].Name != "b" {
		t.Fatalf("List = %v", l)
	}
	h.Remove("a")
	if h.Get("a") != nil {
		t.Fatal("removed stream still there")
	}
	select {
	case <-a.Closed():
	default:
		t.Fatal("removed stream not closed")
	}
}

// BenchmarkTrackWrite measures the fan-out of one packet to n subscribers
// whose goroutines drain their queues.
func BenchmarkTrackWrite(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			tr := NewTrack(Video, Codec{})
			var wg sync.WaitGroup
			for range n {
				s := tr.Subscribe(1024)
				wg.Go(func() {
					for {
						select {
						case <-s.Packets():
						case <-s.Done():
							return
						}
					}
				})
				defer s.Close()
			}
			p := packet(1)
			b.ReportAllocs()
			for b.Loop() {
				tr.Write(p)
			}
			b.StopTimer()
			for _, s := range *tr.subs.Load() {
				s.Close()
			}
			wg.Wait()
		})
	}
}
