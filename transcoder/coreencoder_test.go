package transcoder_test

import (
	"errors"
	"fmt"
	"testing"

	"mediagate.dev/mediagate/transcoder"
)

// fakeCore is an EncoderCore that records its calls and writes one byte a
// frame.
type fakeCore struct {
	pts, durations []int64
	kbps           []int
	failBitrate    bool
	failEncode     bool
	closed         int
}

func (f *fakeCore) Encode(_ *transcoder.Picture, pts, duration int64, keyframe bool, out []byte) (int, bool, error) {
	if f.failEncode {
		return 0, false, fmt.Errorf("%w: fake", transcoder.ErrEncode)
	}
	f.pts, f.durations = append(f.pts, pts), append(f.durations, duration)
	out[0] = 0xaa
	return 1, keyframe, nil
}

func (f *fakeCore) SetBitrate(kbps int) error {
	if f.failBitrate {
		return fmt.Errorf("%w: fake", transcoder.ErrEncode)
	}
	f.kbps = append(f.kbps, kbps)
	return nil
}

func (f *fakeCore) Close() { f.closed++ }

func newFakeEncoder(t *testing.T) (*transcoder.CoreEncoder, *fakeCore) {
	t.Helper()
	cfg, err := transcoder.CheckEncoderConfig("fake", transcoder.VP8,
		transcoder.VideoEncoderConfig{Codec: "video/vp8", Width: 32, Height: 32, Bitrate: 500_000})
	if err != nil {
		t.Fatal(err)
	}
	core := &fakeCore{}
	return transcoder.NewCoreEncoder(cfg, core), core
}

func TestCheckEncoderConfig(t *testing.T) {
	for _, tc := range []struct {
		cfg  transcoder.VideoEncoderConfig
		want error
	}{
		{transcoder.VideoEncoderConfig{Codec: transcoder.VP8, Width: 320, Height: 240}, nil},
		{transcoder.VideoEncoderConfig{Codec: transcoder.H264, Width: 320, Height: 240}, transcoder.ErrUnsupported},
		{transcoder.VideoEncoderConfig{Codec: transcoder.VP8, Width: 8000, Height: 8000}, transcoder.ErrTooLarge},
		{transcoder.VideoEncoderConfig{Codec: transcoder.VP8, Width: 4, Height: 4}, transcoder.ErrTooLarge},
	} {
		cfg, err := transcoder.CheckEncoderConfig("vpxenc", transcoder.VP8, tc.cfg)
		if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("%+v: %v, want %v", tc.cfg, err, tc.want)
		}
		if err == nil && (cfg.FPS != transcoder.DefaultFPS || cfg.Bitrate != transcoder.DefaultBitrate) {
			t.Errorf("%+v: defaults not filled: %+v", tc.cfg, cfg)
		}
	}
}

func TestKbps(t *testing.T) {
	for bps, want := range map[int]int{0: 1, 499: 1, 1_499: 1, 1_500: 2, 500_000: 500, 2_000_499: 2000} {
		if got := transcoder.Kbps(bps); got != want {
			t.Errorf("Kbps(%d) = %d, want %d", bps, got, want)
		}
	}
}

// TestCoreEncoderClock checks the timestamps and durations handed to C: the
// first picture lasts one nominal frame, later ones the step since the
// last, and a step back counts as one nominal frame.
func TestCoreEncoderClock(t *testing.T) {
	e, core := newFakeEncoder(t)
	p := transcoder.NewPicture(32, 32)
	for _, ts := range []uint32{1000, 4000, 10000, 9000} {
		p.PTS = ts
		f, err := e.Encode(p, false)
		if err != nil || f.PTS != ts || len(f.Data) != 1 {
			t.Fatalf("Encode(%d) = %+v, %v", ts, f, err)
		}
	}
	wantPTS, wantDur := []int64{0, 3000, 9000, 12000}, []int64{3000, 3000, 6000, 3000}
	if fmt.Sprint(core.pts, core.durations) != fmt.Sprint(wantPTS, wantDur) {
		t.Errorf("pts %v durations %v, want %v %v", core.pts, core.durations, wantPTS, wantDur)
	}
}

// TestCoreEncoderBitrate checks that a new bitrate reaches C once, rounded
// to kbit/s, before the next picture, and is tried again after a failure.
func TestCoreEncoderBitrate(t *testing.T) {
	e, core := newFakeEncoder(t)
	p := transcoder.NewPicture(32, 32)
	steps := []struct {
		bps         int // 0: no SetBitrate
		failBitrate bool
		wantErr     error
		wantKbps    string
	}{
		{0, false, nil, "[]"},
		{500_000, false, nil, "[]"},
		{200_400, true, transcoder.ErrEncode, "[]"},
		{0, false, nil, "[200]"},
		{0, false, nil, "[200]"},
		{1_250_000, false, nil, "[200 1250]"},
	}
	for i, s := range steps {
		if s.bps != 0 {
			if err := e.SetBitrate(s.bps); err != nil {
				t.Fatal(err)
			}
		}
		core.failBitrate = s.failBitrate
		if _, err := e.Encode(p, false); !errors.Is(err, s.wantErr) || (s.wantErr == nil && err != nil) {
			t.Errorf("step %d: %v, want %v", i, err, s.wantErr)
		}
		if got := fmt.Sprint(core.kbps); got != s.wantKbps {
			t.Errorf("step %d: bitrates set %s, want %s", i, got, s.wantKbps)
		}
	}
}

func TestCoreEncoderRefuses(t *testing.T) {
	e, core := newFakeEncoder(t)
	bad := transcoder.NewPicture(32, 32)
	bad.Planes[2] = bad.Planes[2][:10]
	for _, tc := range []struct {
		p    *transcoder.Picture
		want error
	}{
		{transcoder.NewPicture(48, 32), transcoder.ErrEncode},
		{bad, transcoder.ErrMalformed},
	} {
		if _, err := e.Encode(tc.p, false); !errors.Is(err, tc.want) {
			t.Errorf("%dx%d: %v, want %v", tc.p.Width, tc.p.Height, err, tc.want)
		}
	}
	core.failEncode = true
	if _, err := e.Encode(transcoder.NewPicture(32, 32), false); !errors.Is(err, transcoder.ErrEncode) {
		t.Errorf("core failure: %v, want ErrEncode", err)
	}
	e.Close()
	e.Close()
	if core.closed != 1 {
		t.Errorf("core closed %d times, want 1", core.closed)
	}
	if _, err := e.Encode(transcoder.NewPicture(32, 32), false); !errors.Is(err, transcoder.ErrClosed) {
		t.Errorf("Encode after Close: %v, want ErrClosed", err)
	}
	if err := e.SetBitrate(1000); !errors.Is(err, transcoder.ErrClosed) {
		t.Errorf("SetBitrate after Close: %v, want ErrClosed", err)
	}
}

// TestCoreEncoderAllocs checks that the Go side of encoding a picture,
// bitrate changes included, allocates nothing.
func TestCoreEncoderAllocs(t *testing.T) {
	e, core := newFakeEncoder(t)
	core.pts = make([]int64, 0, 1000)
	core.durations = make([]int64, 0, 1000)
	core.kbps = make([]int, 0, 1000)
	p := transcoder.NewPicture(32, 32)
	i := 0
	allocs := testing.AllocsPerRun(100, func() {
		i++
		p.PTS += 3000
		if i%10 == 0 {
			_ = e.SetBitrate(400_000 + 1000*i)
		}
		if _, err := e.Encode(p, i%30 == 0); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per picture, want 0", allocs)
	}
}
