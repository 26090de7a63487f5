package gateway

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
)

// TestSenderOfferFromFFmpeg is the sender API with a real ffmpeg: ffmpeg
// writes the SDP of an SRTP output (-sdp_file), the test POSTs it, ffmpeg
// then sends with its own key to the port of the answer, and a WHEP client
// plays the stream. The answer echoes the offered tag with a fresh key of
// the suite's length, never ffmpeg's.
func TestSenderOfferFromFFmpeg(t *testing.T) {
	if testing.Short() {
		t.Skip("real ffmpeg peer: run without -short")
	}
	gw := startGateway(t, senderConfig(t, ""))
	key := newSRTPKey(t, 30)
	const suite = "AES_CM_128_HMAC_SHA1_80"
	sdpFile := filepath.Join(t.TempDir(), "ffmpeg.sdp")
	dummy := fmt.Sprintf("srtp://127.0.0.1:%d?pkt_size=1200", sinkPort(t))
	writer := startPeer(t, "ffmpeg", ffmpegH264(suite, key, dummy, "-frames:v", "1", "-sdp_file", sdpFile)...)
	if err := writer.cmd.Wait(); err != nil {
		t.Fatalf("ffmpeg writing its SDP: %v\n%s", err, writer.out.String())
	}
	offer, err := os.ReadFile(sdpFile)
	if err != nil {
		t.Fatal(err)
	}

	r := callAPI(t, http.MethodPost, gw.URL+"/api/v1/streams?name=ffcam", "application/sdp", string(offer))
	if r.status != http.StatusCreated || r.header.Get("Location") != "/api/v1/streams/ffcam" || r.stream() != "ffcam" {
		t.Fatalf("POST offer: %d %v\n%s", r.status, r.header, r.body)
	}
	c := r.crypto(t)
	if c.Tag != 1 || c.Suite != suite || len(c.Key) != 30 || bytes.Equal(c.Key, key) {
		t.Fatalf("answer crypto %v with a %d-byte key (ffmpeg's: %v); want tag 1, %s, a fresh 30-byte key",
			c, len(c.Key), bytes.Equal(c.Key, key), suite)
	}
	port := r.video(t).MediaName.Port.Value
	url := fmt.Sprintf("srtp://127.0.0.1:%d?rtcpport=%d&pkt_size=1200", port, port)
	startPeer(t, "ffmpeg", ffmpegH264(suite, key, url)...)

	viewer := dialWHEP(t, gw.URL, "ffcam", r.token(), webrtc.RTPCodecTypeVideo)
	viewer.waitPayloads(t, "video", 90, 30*time.Second)
	if got := viewer.codec("video"); got != webrtc.MimeTypeH264 {
		t.Errorf("viewer codec %q, want H264", got)
	}
}

// TestSenderOfferFromGStreamer: an offer as a GStreamer application writes
// it, with two suites; the gateway prefers AEAD_AES_128_GCM, answers with
// its tag and a fresh 28-byte key, and GStreamer's srtpenc sends with the
// offered GCM key.
func TestSenderOfferFromGStreamer(t *testing.T) {
	if testing.Short() {
		t.Skip("real GStreamer peer: run without -short")
	}
	gw := startGateway(t, senderConfig(t, ""))
	cmKey, gcmKey := newSRTPKey(t, 30), newSRTPKey(t, 28)
	offer := "v=0\r\no=- 1188340656180883 1 IN IP4 127.0.0.1\r\ns=Session streamed with GStreamer\r\n" +
		"t=0 0\r\na=tool:GStreamer\r\nm=video 5000 RTP/SAVP 96\r\nc=IN IP4 127.0.0.1\r\n" +
		"a=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1;profile-level-id=42c01e\r\n" +
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + b64(cmKey) + "\r\n" +
		"a=crypto:2 AEAD_AES_128_GCM inline:" + b64(gcmKey) + "\r\n"
	r := callAPI(t, http.MethodPost, gw.URL+"/api/v1/streams", "application/sdp", offer)
	if r.status != http.StatusCreated || r.stream() == "" || len(r.token()) < 16 {
		t.Fatalf("POST offer: %d %v\n%s", r.status, r.header, r.body)
	}
	c := r.crypto(t)
	if c.Tag != 2 || c.Suite != "AEAD_AES_128_GCM" || len(c.Key) != 28 || bytes.Equal(c.Key, gcmKey) {
		t.Fatalf("answer crypto %v with a %d-byte key; want tag 2, AEAD_AES_128_GCM, a fresh 28-byte key", c, len(c.Key))
	}
	port := r.video(t).MediaName.Port.Value
	startPeer(t, "gst-launch-1.0", gstH264SRTP(port, hex.EncodeToString(gcmKey),
		"rtp-cipher=aes-128-gcm", "rtp-auth=null", "rtcp-cipher=aes-128-gcm", "rtcp-auth=null")...)

	viewer := dialWHEP(t, gw.URL, r.stream(), r.token(), webrtc.RTPCodecTypeVideo)
	viewer.waitPayloads(t, "video", 90, 30*time.Second)
}

// TestGatewayOfferToFFmpeg is the other role: POST without a body returns
// the gateway's offer; ffmpeg cannot read an SDP to send by, so the test
// does what docs/rtp-receiver.md tells a user to do, reading the address,
// port, payload type and key from the offer into ffmpeg's arguments.
func TestGatewayOfferToFFmpeg(t *testing.T) {
	if testing.Short() {
		t.Skip("real ffmpeg peer: run without -short")
	}
	gw := startGateway(t, senderConfig(t, ""))
	cases := []struct {
		query, suite string
	}{
		{"?name=offered&srtp=AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_80"},
		{"?name=offered-plain&srtp=none", ""},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			r := callAPI(t, http.MethodPost, gw.URL+"/api/v1/streams"+c.query, "", "")
			if r.status != http.StatusCreated {
				t.Fatalf("POST: %d %s", r.status, r.body)
			}
			m := r.video(t)
			host := r.session.ConnectionInformation.Address.Address
			rtpmap, _ := m.Attribute("rtpmap")
			if host != "127.0.0.1" || rtpmap != m.MediaName.Formats[0]+" H264/90000" {
				t.Fatalf("offer advertises %q with rtpmap %q:\n%s", host, rtpmap, r.body)
			}
			port := m.MediaName.Port.Value
			scheme, key := "rtp", []byte(nil)
			if c.suite != "" {
				cr := r.crypto(t)
				if cr.Suite != c.suite || len(cr.Key) != 30 {
					t.Fatalf("offer crypto %v (%d bytes)", cr, len(cr.Key))
				}
				scheme, key = "srtp", cr.Key
			}
			url := fmt.Sprintf("%s://%s:%d?rtcpport=%d&pkt_size=1200", scheme, host, port, port)
			pt, err := strconv.Atoi(m.MediaName.Formats[0])
			if err != nil || pt < 96 {
				t.Fatalf("payload type %q", m.MediaName.Formats[0])
			}
			args := ffmpegH264(c.suite, key, url)
			args[slices.Index(args, "-payload_type")+1] = strconv.Itoa(pt)
			startPeer(t, "ffmpeg", args...)
			viewer := dialWHEP(t, gw.URL, r.stream(), r.token(), webrtc.RTPCodecTypeVideo)
			viewer.waitPayloads(t, "video", 90, 30*time.Second)
		})
	}
}
