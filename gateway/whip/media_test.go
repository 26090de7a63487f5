package whip

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/event"
	"mediagate.dev/mediagate/gateway/stream"
)

// h264Payloads are RTP payloads of a made-up H.264 stream: an SPS, a PPS,
// an IDR slice and non-IDR slices, each with a distinct body.
func h264Payloads() [][]byte {
	out := [][]byte{{0x67, 0x42, 0xe0, 0x1f, 0xda}, {0x68, 0xce, 0x3c, 0x80}, {0x65, 0x88, 0x84, 0x00, 0x33}}
	for i := range 30 {
		out = append(out, []byte{0x41, 0x9a, byte(i), 0x55, byte(i * 7)})
	}
	return out
}

// opusPayloads are made-up Opus frames.
func opusPayloads() [][]byte {
	var out [][]byte
	for i := range 20 {
		out = append(out, []byte{0xfc, byte(i), 0xff, 0xfe})
	}
	return out
}

// collect subscribes to tr and returns a function that waits for n packets.
func collect(t *testing.T, tr *stream.Track) func(n int) []*stream.Packet {
	sub := tr.Subscribe(1024)
	t.Cleanup(sub.Close)
	return func(n int) []*stream.Packet {
		t.Helper()
		var got []*stream.Packet
		deadline := time.After(10 * time.Second)
		for len(got) < n {
			select {
			case p := <-sub.Packets():
				got = append(got, p)
			case <-deadline:
				t.Fatalf("%d of %d packets within 10 s", len(got), n)
			}
		}
		return got
	}
}

// TestMediaReachesStream: what a pion publisher sends arrives in the
// stream's tracks byte for byte, with the stream's payload types and the
// keyframe flag; the stream goes up with the first packet and down on
// DELETE.
func TestMediaReachesStream(t *testing.T) {
	r := newRig(t, defaultREMB(), nil)
	events, unsubscribe := r.bus.Subscribe(64)
	defer unsubscribe()
	tg := r.targets["cam"]
	videoIn, audioIn := collect(t, tg.Stream.Video), collect(t, tg.Stream.Audio)
	p, offer := newPub(t, sendonly, pubH264, pubOpus)
	r.publish(t, "cam", tokenCam, p, offer)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	video, audio := h264Payloads(), opusPayloads()
	go p.send(ctx, 0, video)
	go p.send(ctx, 1, audio)

	for _, c := range []struct {
		kind     string
		got      []*stream.Packet
		payloads [][]byte
		pt       uint8
	}{
		{"video", videoIn(100), video, 96},
		{"audio", audioIn(50), audio, 111},
	} {
		keyframes := 0
		for _, pkt := range c.got {
			want := c.payloads[int(pkt.SequenceNumber-1)%len(c.payloads)]
			if !bytes.Equal(pkt.Payload, want) {
				t.Fatalf("%s seq %d: payload % x, want % x", c.kind, pkt.SequenceNumber, pkt.Payload, want)
			}
			if pkt.PayloadType != c.pt || pkt.Extension || pkt.Padding {
				t.Fatalf("%s seq %d: header %+v", c.kind, pkt.SequenceNumber, pkt.Header)
			}
			if pkt.Keyframe {
				keyframes++
			}
		}
		if (c.kind == "video") != (keyframes > 0) {
			t.Errorf("%s: %d keyframe packets", c.kind, keyframes)
		}
	}
	waitEvent(t, events, event.StreamUp, "cam")
	if resp, body := r.request(t, http.MethodDelete, p.location, "", "", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("DELETE: %d %s", resp.StatusCode, body)
	}
	waitEvent(t, events, event.StreamDown, "cam")
	if tg.Stream.Up() {
		t.Error("stream still up after DELETE")
	}
}

// waitEvent waits for an event of type typ about name.
func waitEvent(t *testing.T, events <-chan event.Event, typ event.Type, name string) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case e := <-events:
			if e.Type == typ && e.Stream == name {
				return
			}
		case <-deadline:
			t.Fatalf("no %s for %s", typ, name)
		}
	}
}

// TestREMB: REMB reaches the publisher at least once a second, never above
// the stream's max_bitrate, and follows the demand hook when it is lower.
func TestREMB(t *testing.T) {
	cases := []struct {
		name    string
		demand  func(string) (int, bool)
		ceiling float32
	}{
		{"max bitrate", nil, 500_000},
		{"demand", func(string) (int, bool) { return 200_000, true }, 200_000},
		{"demand above max", func(string) (int, bool) { return 9_000_000, true }, 500_000},
		{"demand below min", func(string) (int, bool) { return 10_000, true }, 100_000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, config.REMB{MinBitrate: 100, MaxBitrate: 500, StartBitrate: 300}, c.demand)
			p, offer := newPub(t, sendonly, pubVP8)
			r.publish(t, "vp8", tokenVP8, p, offer)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go p.send(ctx, 0, [][]byte{{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a}, {0x00, 0x01, 0x02}})
			waitFor(t, 5*time.Second, "three REMBs", func() bool { return len(p.rembs()) >= 3 })
			for _, b := range p.rembs() {
				if b > c.ceiling || b < 100_000 {
					t.Errorf("REMB %.0f bit/s, want 100000 to %.0f", b, c.ceiling)
				}
			}
			t.Logf("REMBs: %v", p.rembs())
		})
	}
}

// TestREMBDisabled: [stream.remb] enabled = false sends none.
func TestREMBDisabled(t *testing.T) {
	off := false
	remb := defaultREMB()
	remb.Enabled = &off
	r := newRig(t, remb, nil)
	p, offer := newPub(t, sendonly, pubVP8)
	r.publish(t, "vp8", tokenVP8, p, offer)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go p.send(ctx, 0, [][]byte{{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a}})
	r.targets["vp8"].Stream.RequestKeyframe()
	waitFor(t, 5*time.Second, "a PLI", func() bool { return p.pliCount() > 0 })
	time.Sleep(1500 * time.Millisecond) // REMB would have gone out by now
	if n := len(p.rembs()); n != 0 {
		t.Errorf("%d REMBs with REMB disabled", n)
	}
}

// TestKeyframeRequests: the stream's keyframe requests become PLIs,
// coalesced to one per keyframe interval (200 ms in the rig).
func TestKeyframeRequests(t *testing.T) {
	r := newRig(t, defaultREMB(), nil)
	p, offer := newPub(t, sendonly, pubVP8)
	r.publish(t, "vp8", tokenVP8, p, offer)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go p.send(ctx, 0, [][]byte{{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a}})
	st := r.targets["vp8"].Stream
	waitFor(t, 5*time.Second, "the joining PLI", func() bool { return p.pliCount() > 0 })
	time.Sleep(300 * time.Millisecond)
	before := p.pliCount()
	for range 50 {
		st.RequestKeyframe()
	}
	waitFor(t, 2*time.Second, "a PLI for the requests", func() bool { return p.pliCount() > before })
	time.Sleep(300 * time.Millisecond)
	if n := p.pliCount() - before; n > 2 {
		t.Errorf("%d PLIs for 50 requests within 300 ms, want them coalesced", n)
	}
}

// TestJoinKeyframeRequest: a joining viewer's request becomes a PLI
// although a regular one went out just before, and is counted as a join.
func TestJoinKeyframeRequest(t *testing.T) {
	r := newRig(t, defaultREMB(), nil)
	r.targets["vp8"] = withInterval(r.targets["vp8"], time.Hour)
	p, offer := newPub(t, sendonly, pubVP8)
	r.publish(t, "vp8", tokenVP8, p, offer)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go p.send(ctx, 0, [][]byte{{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a}})
	st := r.targets["vp8"].Stream
	waitFor(t, 5*time.Second, "the first PLI", func() bool { return p.pliCount() > 0 })
	before := p.pliCount()
	st.RequestKeyframe() // within the hour: coalesced
	st.RequestKeyframeForJoin()
	waitFor(t, 5*time.Second, "the join's PLI", func() bool { return p.pliCount() > before })
	if got := gathered(t, r, "mediagate_whip_join_keyframe_requests_total"); got != 1 {
		t.Errorf("join_keyframe_requests_total = %v, want 1", got)
	}
}

func withInterval(tg Target, d time.Duration) Target {
	tg.KeyframeInterval = d
	return tg
}

// gathered returns the sum of the named metric's series in the rig's registry.
func gathered(t *testing.T, r *rig, name string) float64 {
	t.Helper()
	mfs, err := r.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}
