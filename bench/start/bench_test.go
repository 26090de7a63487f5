package main

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"testing"
	"time"

	"mediagate.dev/mediagate/gateway/config"
)

func TestParseFlagsQuick(t *testing.T) {
	o, err := parseFlags([]string{"-quick", "-loads", "4"})
	if err != nil {
		t.Fatal(err)
	}
	if o.runs != 1 || o.width != 640 || o.height != 360 || o.loads != 4 ||
		!slices.Equal(o.joins, []time.Duration{2500 * time.Millisecond}) || !slices.Equal(o.browserCodecs, []string{codecH264}) {
		t.Errorf("-quick -loads 4: %+v", o)
	}
	for _, bad := range [][]string{{"-joins", "5s"}, {"-joins", "0s"}, {"-cpu-codecs", "h265"}, {"-only", "both"}, {"-width", "641"}} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("parseFlags(%q) accepted", bad)
		}
	}
}

func TestPhases(t *testing.T) {
	got := phases(5, 5*time.Second)
	want := []time.Duration{500 * time.Millisecond, 1500 * time.Millisecond, 2500 * time.Millisecond,
		3500 * time.Millisecond, 4500 * time.Millisecond}
	if !slices.Equal(got, want) {
		t.Errorf("phases(5, 5s) = %v, want %v", got, want)
	}
}

func TestMedian(t *testing.T) {
	if got := median([]time.Duration{5, 1, 3, 9, 2}); got != 3 {
		t.Errorf("median = %v, want 3", got)
	}
	if got := median(nil); got != 0 {
		t.Errorf("median(nil) = %v", got)
	}
}

// TestGatewayConfig: the generated config passes the gateway's own strict
// load and has the two start modes.
func TestGatewayConfig(t *testing.T) {
	o, err := parseFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	ports := map[string]int{"h264-bridge": 5000, "h264-wait": 5002, "vp8-bridge": 5004, "vp8-wait": 5006}
	cfg, err := config.Parse([]byte(gatewayConfig(8080, 5100, ports, o)))
	if err != nil {
		t.Fatal(err)
	}
	modes := map[string]string{}
	for _, s := range cfg.Streams {
		modes[s.Name] = s.Start.Mode
	}
	want := map[string]string{"h264-bridge": "bridge", "h264-wait": "wait", "vp8-bridge": "bridge", "vp8-wait": "wait"}
	for name, mode := range want {
		if modes[name] != mode {
			t.Errorf("stream %s: start.mode %q, want %q", name, modes[name], mode)
		}
	}
}

func TestCameraArgv(t *testing.T) {
	o, _ := parseFlags(nil)
	h := strings.Join(cameraArgv(codecH264, []int{1, 2}, o, ""), " ")
	if !strings.Contains(h, "key-int-max=150") || !strings.Contains(h, "clients=127.0.0.1:1,127.0.0.1:2") {
		t.Errorf("H.264 camera: %s", h)
	}
	v := strings.Join(cameraArgv(codecVP8, []int{1, 2}, o, "gop.ivf"), " ")
	if !strings.Contains(v, "-stream_loop -1 -i gop.ivf") || !strings.Contains(v, "rtp://127.0.0.1:1?rtcpport=1&pkt_size=1200|") {
		t.Errorf("VP8 camera: %s", v)
	}
}

func TestCountH264Pictures(t *testing.T) {
	aud := []byte{0, 0, 0, 1, 9, 0xf0}
	sps := []byte{0, 0, 0, 1, 0x67, 1, 2}
	idr := []byte{0, 0, 0, 1, 0x65, 3}
	p := []byte{0, 0, 0, 1, 0x41, 4}
	stream := bytes.Join([][]byte{aud, sps, idr, aud, p, aud, p}, nil)
	if n, _ := countPictures(codecH264, stream); n != 3 {
		t.Errorf("countPictures = %d, want 3", n)
	}
}

func TestCountVP8Pictures(t *testing.T) {
	head := make([]byte, 32)
	copy(head, "DKIF")
	binary.LittleEndian.PutUint16(head[6:], 32)
	frame := func(b ...byte) []byte {
		h := make([]byte, 12)
		binary.LittleEndian.PutUint32(h, uint32(len(b)))
		return append(h, b...)
	}
	file := bytes.Join([][]byte{head, frame(1, 2, 3), frame(4)}, nil)
	if n, err := countPictures(codecVP8, file); err != nil || n != 2 {
		t.Fatalf("countPictures = %d, %v", n, err)
	}
}

func TestFigures(t *testing.T) {
	if got := (joinRow{mediagate: 11, ffmpeg: 10}).ratio(); got != 1.1 {
		t.Errorf("ratio = %v, want 1.1", got)
	}
	if got := perFrame(3*time.Millisecond, 150); got != 20 {
		t.Errorf("perFrame = %v µs, want 20", got)
	}
}
