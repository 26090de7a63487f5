package gateway

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pion/webrtc/v4"

	"mediagate.dev/mediagate/gateway/event"
	"mediagate.dev/mediagate/internal/codec"
)

// gstH265 returns a gst-launch pipeline pushing H.265 Main at width×height,
// 30 fps, with bframes B-frames (0: tune=zerolatency), parameter sets
// before every IDR, through srtpenc (AES_CM_128_HMAC_SHA1_80) with
// srtpKeyHex, to port.
func gstH265(port, width, height, bframes int, srtpKeyHex string) []string {
	enc := []string{"x265enc", "speed-preset=ultrafast", "bitrate=1500", "key-int-max=30"}
	if bframes == 0 {
		enc = append(enc, "tune=zerolatency")
	} else {
		enc = append(enc, fmt.Sprintf("option-string=bframes=%d", bframes))
	}
	args := []string{"-q", "videotestsrc", "is-live=true", "pattern=ball",
		"!", fmt.Sprintf("video/x-raw,width=%d,height=%d,framerate=30/1", width, height), "!", "videoconvert", "!"}
	args = append(args, enc...)
	return append(args, "!", "video/x-h265,profile=main",
		"!", "rtph265pay", "pt=98", "config-interval=-1", "mtu=1200",
		"!", "application/x-rtp,payload=98,ssrc=(uint)287454021",
		"!", "srtpenc", "key="+srtpKeyHex, "rtp-cipher=aes-128-icm", "rtp-auth=hmac-sha1-80",
		"rtcp-cipher=aes-128-icm", "rtcp-auth=hmac-sha1-80",
		"!", "udpsink", "host=127.0.0.1", fmt.Sprintf("port=%d", port), "sync=false")
}

// ffmpegH265 returns ffmpeg arguments encoding a test pattern as H.265
// (libx265, parameter sets in band) over plain RTP with payload type pt,
// to url; extra arguments go before the output.
func ffmpegH265(pt int, url string, extra ...string) []string {
	args := []string{"-hide_banner", "-loglevel", "error", "-re",
		"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30",
		"-c:v", "libx265", "-preset", "ultrafast", "-tune", "zerolatency", "-x265-params", "log-level=error:keyint=30",
		"-pix_fmt", "yuv420p", "-f", "rtp", "-payload_type", fmt.Sprint(pt)}
	return append(append(args, extra...), url)
}

// TestH265CamerasInBrowser: GStreamer sends 720p30 H.265 over SRTP, with
// B-frames off and on. Headless chromium, which does not decode H.265,
// plays each through exactly one H.265 → H.264 transcoder; a pion viewer
// offering only VP8 plays through the VP8 rendition, and a pion viewer
// offering H.265 gets the camera's stream passed through, from a keyframe.
func TestH265CamerasInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser and GStreamer test: run without -short")
	}
	needTranscoding(t)
	key := make([]byte, 30)
	for i := range key {
		key[i] = byte(i*5 + 1)
	}
	ports := [2]int{freePort(t, "udp"), freePort(t, "udp")}
	var streams string
	for i, name := range []string{"nob", "bframes"} {
		streams += fmt.Sprintf("[[stream]]\nname = %q\nlisten = \"127.0.0.1:%d\"\n%s  [stream.srtp]\n  key = %q\n",
			name, ports[i], h265Table, base64.StdEncoding.EncodeToString(key))
	}
	gw := startGateway(t, testConfig(t, streams))
	events := sseEvents(t, gw.URL)
	browser := newBrowser(t)
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	for i, c := range []struct {
		name    string
		bframes int
	}{{"nob", 0}, {"bframes", 3}} {
		t.Run(c.name, func(t *testing.T) {
			startPeer(t, "gst-launch-1.0", gstH265(ports[i], 1280, 720, c.bframes, hex.EncodeToString(key))...)
			tb := openTab(t, browser, gw.URL+"/view/"+c.name+"?codec=h264", c.name)
			st := waitFrames(tb.ctx, t, 60, 60*time.Second)
			if st.Codec != "video/H264" || st.FrameWidth != 1280 || st.FrameHeight != 720 {
				t.Errorf("chromium plays %s %dx%d, want video/H264 1280x720", st.Codec, st.FrameWidth, st.FrameHeight)
			}
			if n := transcoders(t, gw.Gateway, c.name, "h265", "h264"); n != 1 {
				t.Errorf("%v H.265 → H.264 transcoders, want exactly 1", n)
			}
			e := waitEvent(t, events, event.TranscodingActive, c.name, 5*time.Second, transcodesTo("video/H264"))
			if e.Data["from"] != "video/H265" {
				t.Errorf("transcoding.active from %q, want video/H265", e.Data["from"])
			}
			if c.bframes == 0 {
				vp8 := dialWHEPOnly(t, gw.URL, c.name, offerVP8)
				vp8.waitPayloads(t, "video", 30, 30*time.Second)
				if got := vp8.codec("video"); got != webrtc.MimeTypeVP8 {
					t.Errorf("VP8-only viewer gets %s", got)
				}
				return
			}
			hevc := dialWHEPOnly(t, gw.URL, c.name, offerH265)
			got := hevc.waitPayloads(t, "video", 60, 30*time.Second)
			if hevc.codec("video") != webrtc.MimeTypeH265 || !codec.H265IsKeyframe(got[0]) {
				t.Errorf("H.265 viewer gets %s starting with % x, want H265 from a keyframe", hevc.codec("video"), head(got[0]))
			}
			tb.leave(t)
		})
	}
}

// TestH265FromFFmpeg: ffmpeg (libx265, -f rtp) sends H.265 into a
// configured stream, which a pion viewer offering H.265 plays passed
// through; then ffmpeg offers H.265 through POST /api/v1/streams, the
// answer accepts it, and a WHEP viewer offering only VP8 plays it.
func TestH265FromFFmpeg(t *testing.T) {
	if testing.Short() {
		t.Skip("real ffmpeg peer: run without -short")
	}
	needTranscoding(t)
	port := freePort(t, "udp")
	gw := startGateway(t, senderConfig(t, fmt.Sprintf("[[stream]]\nname = \"ffcam\"\nlisten = \"127.0.0.1:%d\"\n%s", port, h265Table)))
	startPeer(t, "ffmpeg", ffmpegH265(98, fmt.Sprintf("rtp://127.0.0.1:%d?rtcpport=%d&pkt_size=1200", port, port))...)
	direct := dialWHEPOnly(t, gw.URL, "ffcam", offerH265)
	direct.waitPayloads(t, "video", 60, 30*time.Second)
	if got := direct.codec("video"); got != webrtc.MimeTypeH265 {
		t.Errorf("configured stream: viewer gets %s, want H265", got)
	}

	sdpFile := filepath.Join(t.TempDir(), "ffmpeg.sdp")
	dummy := fmt.Sprintf("rtp://127.0.0.1:%d?pkt_size=1200", sinkPort(t))
	writer := startPeer(t, "ffmpeg", ffmpegH265(96, dummy, "-frames:v", "1", "-sdp_file", sdpFile)...)
	if err := writer.cmd.Wait(); err != nil {
		t.Fatalf("ffmpeg writing its SDP: %v\n%s", err, writer.out.String())
	}
	offer, err := os.ReadFile(sdpFile)
	if err != nil {
		t.Fatal(err)
	}
	r := callAPI(t, http.MethodPost, gw.URL+"/api/v1/streams?name=apicam", "application/sdp", string(offer))
	if r.status != http.StatusCreated {
		t.Fatalf("POST an H.265 offer: %d\n%s", r.status, r.body)
	}
	if v, _ := r.video(t).Attribute("rtpmap"); v != "96 H265/90000" {
		t.Fatalf("answer rtpmap %q, want 96 H265/90000\n%s", v, r.body)
	}
	apiPort := r.video(t).MediaName.Port.Value
	startPeer(t, "ffmpeg", ffmpegH265(96, fmt.Sprintf("rtp://127.0.0.1:%d?rtcpport=%d&pkt_size=1200", apiPort, apiPort))...)
	viewer := dialWHEPTokenOnly(t, gw.URL, "apicam", r.token(), offerVP8)
	viewer.waitPayloads(t, "video", 30, 30*time.Second)
	if got := viewer.codec("video"); got != webrtc.MimeTypeVP8 {
		t.Errorf("API stream: VP8-only viewer gets %s", got)
	}
}
