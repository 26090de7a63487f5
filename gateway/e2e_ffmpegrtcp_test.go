package gateway

import (
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/event"
)

// srSkew is how far ahead of its packets the test's ffmpeg puts the RTP
// time of its Sender Reports (-start_time_realtime in the past), so that a
// viewer's Sender Report shows whether it carries the camera's NTP↔RTP
// mapping: the gateway's own would map now to the last packet's time.
const srSkew = 10 * time.Second

// TestFFmpegRTCPFromNextPort runs ffmpeg as docs/cameras.md does, RTP and
// RTCP to the stream's one port (`?rtcpport=`), which ffmpeg sends its RTCP
// to from RTP port + 1: its Sender Reports must count (the viewer's SR
// carries their mapping), with no not_latched drop and no source.rejected.
func TestFFmpegRTCPFromNextPort(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ffmpeg")
	}
	port := freePort(t, "udp")
	gw := startGateway(t, testConfig(t, fmt.Sprintf(`
[[stream]]
name = "cam"
listen = "127.0.0.1:%d"
  [stream.video]
  codec = "h264"
`, port)))
	events, unsubscribe := gw.Bus().Subscribe(1024)
	defer unsubscribe()

	start := time.Now().Add(-srSkew).UnixMicro()
	startPeer(t, "ffmpeg", "-hide_banner", "-loglevel", "error", "-re",
		"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-pix_fmt", "yuv420p",
		"-c:v", "libx264", "-profile:v", "baseline", "-tune", "zerolatency", "-g", "60", "-bsf:v", "dump_extra",
		"-start_time_realtime", strconv.FormatInt(start, 10),
		"-f", "rtp", "-payload_type", "96", fmt.Sprintf("rtp://127.0.0.1:%d?rtcpport=%d&pkt_size=1200", port, port))

	v := &srViewer{srs: make(chan uint32, 64)}
	pc, offer := newOfferingPC(t, newPionAPI(t), webrtc.RTPCodecTypeVideo)
	pc.OnTrack(v.onTrack)
	status, answer, _ := postSDP(t, gw.URL+"/whep/cam", "", offer)
	if status != 201 {
		t.Fatalf("WHEP POST: %d %s", status, answer)
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatal(err)
	}

	// The viewer's SR maps to an RTP time srSkew ahead of its packets
	// only when it derives from ffmpeg's Sender Reports.
	deadline := time.After(15 * time.Second)
	for found := false; !found; {
		select {
		case ahead := <-v.srs:
			d := time.Duration(int32(ahead)) * time.Second / 90000
			t.Logf("viewer SR: RTP time %v ahead of the last packet", d)
			found = d > srSkew-2*time.Second && d < srSkew+2*time.Second
		case <-deadline:
			t.Fatal("no viewer Sender Report carried ffmpeg's NTP↔RTP mapping")
		}
	}
	// ffmpeg sends an SR every 5 s; the first, sent before its first RTP
	// packet, found nothing latched: the one found is at least the second.
	if n := metricValue(t, gw.Gateway, "mediagate_ingest_dropped_total", map[string]string{"stream": "cam", "reason": "not_latched"}); n != 0 {
		t.Errorf("dropped{not_latched} = %v, want 0", n)
	}
	if n := metricValue(t, gw.Gateway, "mediagate_ingest_packets_total", map[string]string{"stream": "cam"}); n < 100 {
		t.Errorf("ingest packets %v: the stream did not flow", n)
	}
	for {
		select {
		case e := <-events:
			if e.Type == event.SourceRejected {
				t.Errorf("source.rejected: %v", e.Data)
			}
			continue
		default:
		}
		break
	}
}

// srViewer reports, for each Sender Report its track receives, how far
// the SR's RTP time is ahead of the last RTP packet's timestamp.
type srViewer struct {
	mu   sync.Mutex
	last uint32
	have bool
	srs  chan uint32
}

func (v *srViewer) onTrack(tr *webrtc.TrackRemote, rx *webrtc.RTPReceiver) {
	go func() {
		for {
			pkts, _, err := rx.ReadRTCP()
			if err != nil {
				return
			}
			for _, p := range pkts {
				if sr, ok := p.(*rtcp.SenderReport); ok {
					v.mu.Lock()
					if v.have {
						select {
						case v.srs <- sr.RTPTime - v.last:
						default:
						}
					}
					v.mu.Unlock()
				}
			}
		}
	}()
	for {
		p, _, err := tr.ReadRTP()
		if err != nil {
			return
		}
		v.mu.Lock()
		v.last, v.have = p.Timestamp, true
		v.mu.Unlock()
	}
}
