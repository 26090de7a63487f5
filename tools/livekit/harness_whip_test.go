package livekit

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// whipPublisher is the harness's own WHIP client (temporary, until the
// forward lands): VP8 RTP read on a UDP socket, published to a WHIP
// endpoint.
type whipPublisher struct {
	pc       *webrtc.PeerConnection
	conn     *net.UDPConn
	endpoint string
	location string
	token    string
}

func startWHIPPublisher(t *testing.T, endpoint, token, listen string) *whipPublisher {
	t.Helper()
	laddr, _ := net.ResolveUDPAddr("udp4", listen)
	conn, err := net.ListenUDP("udp4", laddr)
	if err != nil {
		t.Fatal(err)
	}
	var se webrtc.SettingEngine
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetInterfaceFilter(func(name string) bool { return name == nsLink })
	var me webrtc.MediaEngine
	if err := me.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	pc, err := webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(&me)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	track, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "video", "cam1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pc.AddTransceiverFromTrack(track, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly}); err != nil {
		t.Fatal(err)
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	<-gathered
	p := &whipPublisher{pc: pc, conn: conn, endpoint: endpoint, token: token}
	req, _ := http.NewRequest(http.MethodPost, endpoint, bytes.NewBufferString(pc.LocalDescription().SDP))
	req.Header.Set("Content-Type", "application/sdp")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("WHIP POST: %s: %s", resp.Status, body)
	}
	base, _ := url.Parse(endpoint)
	loc, _ := base.Parse(resp.Header.Get("Location"))
	p.location = loc.String()
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: string(body)}); err != nil {
		t.Fatal(err)
	}
	go func() {
		buf := make([]byte, 1500)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			var pkt rtp.Packet
			if pkt.Unmarshal(buf[:n]) == nil {
				_ = track.WriteRTP(&pkt)
			}
		}
	}()
	t.Cleanup(p.close)
	return p
}

// close ends the session with DELETE on its resource.
func (p *whipPublisher) close() {
	if p.location != "" {
		req, _ := http.NewRequest(http.MethodDelete, p.location, nil)
		req.Header.Set("Authorization", "Bearer "+p.token)
		if resp, err := (&http.Client{Timeout: 2 * time.Second}).Do(req); err == nil {
			resp.Body.Close()
		}
		p.location = ""
	}
	_ = p.pc.Close()
	if err := p.conn.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return
	}
}
