package gateway

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pion/sdp/v3"

	"mediagate.dev/mediagate/gateway/api"
	"mediagate.dev/mediagate/gateway/config"
	"mediagate.dev/mediagate/gateway/sendersdp"
)

// This file holds what the sender API tests share: a config with a port
// range on loopback, requests to the API, and reading the SDP it returns.

// senderConfig returns a test config whose API-created streams bind
// loopback ports of a small range, with extra TOML (tables, streams)
// appended.
func senderConfig(t testing.TB, extra string) *config.Config {
	t.Helper()
	return senderConfigFull(t, "", "", extra)
}

// senderConfigFull is senderConfig with extra lines for the [ingest] and
// [senders] tables.
func senderConfigFull(t testing.TB, ingest, senders, extra string) *config.Config {
	t.Helper()
	base := freePort(t, "udp")
	if base > 65000 {
		base = 50000
	}
	return testConfig(t, fmt.Sprintf("[ingest]\nport_range = \"%d-%d\"\n%s[senders]\nlisten_ip = \"127.0.0.1\"\n%s",
		base, base+19, ingest, senders)+extra)
}

// senderReply is the answer of a sender API request.
type senderReply struct {
	status  int
	header  http.Header
	body    string
	session sdp.SessionDescription // the body parsed, when it is SDP
}

// callAPI sends one request to the gateway's API with the admin token.
func callAPI(t testing.TB, method, url, contentType, body string) senderReply {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	r := senderReply{status: resp.StatusCode, header: resp.Header, body: string(b)}
	if resp.Header.Get("Content-Type") == "application/sdp" {
		if err := r.session.UnmarshalString(r.body); err != nil {
			t.Fatalf("SDP from %s does not parse: %v\n%s", url, err, r.body)
		}
	}
	return r
}

// video returns the reply's first m=video line.
func (r senderReply) video(t testing.TB) *sdp.MediaDescription {
	t.Helper()
	for _, m := range r.session.MediaDescriptions {
		if m.MediaName.Media == "video" {
			return m
		}
	}
	t.Fatalf("no m=video in\n%s", r.body)
	return nil
}

// crypto returns the a=crypto line of the reply's video.
func (r senderReply) crypto(t testing.TB) sendersdp.Crypto {
	t.Helper()
	v, ok := r.video(t).Attribute("crypto")
	if !ok {
		t.Fatalf("no a=crypto in\n%s", r.body)
	}
	c, err := sendersdp.ParseCrypto(v)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// stream and token are the name and viewer token the reply's headers give.
func (r senderReply) stream() string { return r.header.Get(api.StreamHeader) }
func (r senderReply) token() string  { return r.header.Get(api.ViewerTokenHeader) }

// newSRTPKey returns n random bytes.
func newSRTPKey(t testing.TB, n int) []byte {
	t.Helper()
	k := make([]byte, n)
	_, _ = rand.Read(k)
	return k
}

// b64 is standard base64 with padding, as SDES writes keys.
func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// sinkPort returns a loopback UDP port with a socket that swallows what is
// sent to it, so a sender writing its SDP somewhere gets no ICMP errors.
func sinkPort(t testing.TB) int {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	go func() {
		buf := make([]byte, 2048)
		for {
			if _, _, err := c.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// ffmpegH264 returns ffmpeg arguments encoding a test pattern as
// constrained-baseline H.264 RTP (payload type 96), SRTP when suite is
// set, to url; extra arguments (-sdp_file, -frames:v) go before the
// output.
func ffmpegH264(suite string, key []byte, url string, extra ...string) []string {
	args := []string{"-hide_banner", "-loglevel", "error", "-re",
		"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30",
		"-c:v", "libx264", "-profile:v", "baseline", "-preset", "ultrafast", "-tune", "zerolatency",
		"-pix_fmt", "yuv420p", "-g", "30", "-f", "rtp", "-payload_type", "96"}
	if suite != "" {
		args = append(args, "-srtp_out_suite", suite, "-srtp_out_params", b64(key))
	}
	args = append(args, extra...)
	return append(args, url)
}

// gstH264SRTP is gstH264 through srtpenc with any cipher: the caller gives
// srtpenc's properties and the hex key.
func gstH264SRTP(port int, keyHex string, srtpProps ...string) []string {
	plain := gstH264(port, 320, 240, "")
	sink := plain[len(plain)-5:] // "!", "udpsink", host, port, sync
	args := append([]string{}, plain[:len(plain)-5]...)
	args = append(args, "!", "application/x-rtp,payload=96,ssrc=(uint)287454020", "!", "srtpenc", "key="+keyHex)
	args = append(args, srtpProps...)
	return append(args, sink...)
}
