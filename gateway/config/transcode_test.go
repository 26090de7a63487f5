package config

import (
	"testing"
	"time"
)

const (
	demo    = "name = \"demo\"\nsource = \"testpattern\"\n"
	opusTab = "[stream.audio]\ncodec = \"opus\"\n"
)

var transcodeCases = []tomlCase{
	{"transcode defaults", valid, "", ""},
	{"transcode off", stream(cam1, h264+"[stream.transcode]\nmode = \"off\""), "", ""},
	{"transcode mode unknown", stream(cam1, h264+"[stream.transcode]\nmode = \"always\""), "stream[0].transcode.mode", "auto | off"},
	{"transcode bitrate over max", stream(cam1, h264+"[stream.transcode]\nbitrate = 5000\nmax_bitrate = 3000"), "stream[0].transcode.bitrate", "from min_bitrate to max_bitrate"},
	{"transcode min over max", stream(cam1, h264+"[stream.transcode]\nmin_bitrate = 3000\nmax_bitrate = 2000"), "stream[0].transcode.min_bitrate", "must not exceed max_bitrate"},
	{"transcode max too high", stream(cam1, h264+"[stream.transcode]\nmax_bitrate = 60000"), "stream[0].transcode.max_bitrate", "from 50 to 50000"},
	{"transcode audio bitrate", stream(cam1, h264+"[stream.transcode]\naudio_bitrate = 1000"), "stream[0].transcode.audio_bitrate", "from 6 to 510"},
	{"transcode bitrate 0", stream(cam1, h264+"[stream.transcode]\nbitrate = 0"), "stream[0].transcode.bitrate", "from 50 to 50000 kbit/s (got 0)"},
	{"transcode min_bitrate 0", stream(cam1, h264+"[stream.transcode]\nmin_bitrate = 0"), "stream[0].transcode.min_bitrate", "from 50 to 50000 kbit/s (got 0)"},
	{"transcode max_bitrate 0", stream(cam1, h264+"[stream.transcode]\nmax_bitrate = 0"), "stream[0].transcode.max_bitrate", "from 50 to 50000 kbit/s (got 0)"},
	{"transcode audio_bitrate 0", stream(cam1, h264+"[stream.transcode]\naudio_bitrate = 0"), "stream[0].transcode.audio_bitrate", "from 6 to 510 kbit/s (got 0)"},
	{"transcode bitrates set", stream(cam1, h264+"[stream.transcode]\nbitrate = 800\nmin_bitrate = 100\nmax_bitrate = 900\naudio_bitrate = 32"), "", ""},
	{"transcode grace long", stream(cam1, h264+"[stream.transcode]\ngrace_period = \"1h\""), "stream[0].transcode.grace_period", "from 0s to 10m0s"},
	{"transcode unknown key", stream(cam1, h264+"[stream.transcode]\nbitrate_kbps = 100"), "stream[0].transcode.bitrate_kbps", "unknown key"},
	{"testpattern", stream(demo, h264+opusTab), "", ""},
	{"testpattern vp8 no audio", stream(demo, "[stream.video]\ncodec = \"vp8\""), "", ""},
	{"testpattern listen", stream(demo+"listen = \"127.0.0.1:5004\"", h264), "stream[0].listen", "applies only to source \"rtp\""},
	{"testpattern srtp", stream(demo, h264+srtpTable("AES_CM_128_HMAC_SHA1_80", srtpKey(30, true))), "stream[0].srtp", "applies only"},
	{"testpattern pcmu", stream(demo, h264+"[stream.audio]\ncodec = \"pcmu\""), "stream[0].audio.codec", "must be \"opus\""},
	{"aac defaults", stream(cam1, h264+"[stream.audio]\ncodec = \"aac\""), "", ""},
	{"aac 16k mono", stream(cam1, h264+"[stream.audio]\ncodec = \"aac\"\nclock_rate = 16000\nchannels = 1"), "", ""},
	{"aac odd rate", stream(cam1, h264+"[stream.audio]\ncodec = \"aac\"\nclock_rate = 12345"), "stream[0].audio.clock_rate", "must be one of"},
	{"aac six channels", stream(cam1, h264+"[stream.audio]\ncodec = \"aac\"\nchannels = 6"), "stream[0].audio.channels", "must be 1 or 2"},
}

func TestValidateTranscode(t *testing.T) { runCases(t, transcodeCases) }

func TestTranscodeDefaults(t *testing.T) {
	cfg, err := Parse([]byte(stream(cam1, h264+"[stream.transcode]\nmax_bitrate = 1000\n[stream.audio]\ncodec = \"aac\"")))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Streams[0]
	want := Transcode{Mode: TranscodeAuto, Bitrate: 1000, MinBitrate: 150, MaxBitrate: 1000, AudioBitrate: 64, GracePeriod: Duration(5 * time.Second)}
	if s.Transcode != want {
		t.Errorf("transcode %+v, want %+v", s.Transcode, want)
	}
	if a := s.Audio; a.PayloadType != 97 || a.ClockRate != 48000 || a.Channels != 2 {
		t.Errorf("aac defaults %+v", a)
	}
}
