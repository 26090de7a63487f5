package systest

import (
	"context"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// vp8Camera sends VP8 over RTP (payload type 97) from the test's end of
// the link to a stream's port in the container: 200 packets a second, a
// key frame every 50, until the test ends.
func vp8Camera(t *testing.T, from netip.Addr, to netip.AddrPort) {
	t.Helper()
	conn, err := net.DialUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(from, 0)), net.UDPAddrFromAddrPort(to))
	if err != nil {
		t.Fatal(err)
	}
	stop, done := make(chan struct{}), make(chan struct{})
	t.Cleanup(func() { close(stop); <-done; conn.Close() })
	go func() {
		defer close(done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 97, Marker: true,
			SSRC: rand.Uint32(), SequenceNumber: uint16(rand.Uint32()), Timestamp: rand.Uint32()}}
		body := make([]byte, 600)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			frame := byte(0x51) // inter frame
			if i%50 == 0 {
				frame = 0x50 // key frame
			}
			p.Payload = append([]byte{0x10, frame}, body...)
			if b, err := p.Marshal(); err == nil {
				_, _ = conn.Write(b) // the stream may be restarting; the camera keeps going
			}
			p.SequenceNumber++
			p.Timestamp += 3000
		}
	}()
}

// viewer is a pion WHEP viewer on the test's end of the link.
type viewer struct {
	pc      *webrtc.PeerConnection
	mu      sync.Mutex
	packets int
}

// watch opens a WHEP session for stream at base, over the interface
// ifName only, and counts the video packets that arrive.
func watch(t *testing.T, base, stream, ifName string) *viewer {
	t.Helper()
	me := &webrtc.MediaEngine{}
	if err := me.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(me, ir); err != nil {
		t.Fatal(err)
	}
	se := webrtc.SettingEngine{}
	se.SetInterfaceFilter(func(name string) bool { return name == ifName })
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	api := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(se))
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	v := &viewer{pc: pc}
	if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo,
		webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
		t.Fatal(err)
	}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		for {
			if _, _, err := tr.ReadRTP(); err != nil {
				return
			}
			v.mu.Lock()
			v.packets++
			v.mu.Unlock()
		}
	})
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	<-gathered
	answer := postOffer(t, base+"/whep/"+stream, pc.LocalDescription().SDP)
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatal(err)
	}
	return v
}

func postOffer(t *testing.T, url, sdp string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(sdp))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/sdp")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: %d %s", url, resp.StatusCode, body)
	}
	return string(body)
}

func (v *viewer) count() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.packets
}

// receiving waits until n more packets have arrived: the viewer is
// connected and its stream flowing.
func (v *viewer) receiving(t *testing.T, n int) {
	t.Helper()
	want := v.count() + n
	deadline := time.Now().Add(20 * time.Second)
	for v.count() < want {
		if time.Now().After(deadline) {
			t.Fatalf("viewer: %d packets, want %d (connection %v)", v.count(), want, v.pc.ConnectionState())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// httpGet returns the status of GET url (0 if it could not connect).
func httpGet(url string, header ...string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
