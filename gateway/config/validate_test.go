package config

import (
	"errors"
	"strings"
	"testing"
)

var globalCases = []tomlCase{
	{"defaults only", valid, "", ""},
	{"log level", "[log]\nlevel = \"loud\"\n" + valid, "log.level", "must be one of debug | info | warn | error"},
	{"log format", "[log]\nformat = \"xml\"\n" + valid, "log.format", "text | json"},
	{"http listen host name", "[http]\nlisten = \"localhost:8080\"\n" + valid, "http.listen", "host must be an IP address"},
	{"http listen port 0", "[http]\nlisten = \"0.0.0.0:0\"\n" + valid, "http.listen", "port must be from 1 to 65535"},
	{"http listen port 65536", "[http]\nlisten = \"0.0.0.0:65536\"\n" + valid, "http.listen", "port must be from 1 to 65535"},
	{"http listen no port", "[http]\nlisten = \"0.0.0.0\"\n" + valid, "http.listen", "must be host:port"},
	{"http listen empty host", "[http]\nlisten = \":8080\"\n" + valid, "", ""},
	{"http listen ipv6", "[http]\nlisten = \"[::1]:8080\"\n" + valid, "", ""},
	{"admin token short", "[http]\nadmin_token = \"hunter2\"\n" + valid, "http.admin_token", "at least 16 characters"},
	{"admin token ok", "[http]\nadmin_token = \"0123456789abcdef\"\n" + valid, "", ""},
	{"cors origin scheme", "[http]\ncors_origins = [\"*\", \"ftp://example.com\"]\n" + valid, "http.cors_origins[1]", "an origin"},
	{"cors origin path", "[http]\ncors_origins = [\"https://example.com/app\"]\n" + valid, "http.cors_origins[0]", "an origin"},
	{"cors origin ok", "[http]\ncors_origins = [\"https://example.com:8443\", \"http://192.0.2.1\"]\n" + valid, "", ""},
	{"frame ancestors injection", "[http]\nframe_ancestors = [\"https://a.example; script-src *\"]\n" + valid, "http.frame_ancestors[0]", "an origin"},
	{"frame ancestors path", "[http]\nframe_ancestors = [\"'self'\", \"https://a.example/app\"]\n" + valid, "http.frame_ancestors[1]", "an origin"},
	{"frame ancestors none keyword", "[http]\nframe_ancestors = [\"'none'\"]\n" + valid, "http.frame_ancestors[0]", "an origin"},
	{"frame ancestors ok", "[http]\nframe_ancestors = [\"'self'\", \"https://intranet.example.com\", \"https://*.example.org:8443\", \"http://192.0.2.1:8080\", \"https://[2001:db8::1]\"]\n" + valid, "", ""},
	{"max body small", "[http]\nmax_body_bytes = 100\n" + valid, "http.max_body_bytes", "from 1024 to 1048576"},
	{"max body large", "[http]\nmax_body_bytes = 2097152\n" + valid, "http.max_body_bytes", "from 1024 to 1048576"},
	{"read timeout zero", "[http]\nread_timeout = \"0s\"\n" + valid, "http.read_timeout", "from 1s to 10m0s"},
	{"read header timeout negative", "[http]\nread_header_timeout = \"-1s\"\n" + valid, "http.read_header_timeout", "(got -1s)"},
	{"write timeout long", "[http]\nwrite_timeout = \"11m\"\n" + valid, "http.write_timeout", "from 1s to 10m0s"},
	{"idle timeout long", "[http]\nidle_timeout = \"1h\"\n" + valid, "http.idle_timeout", "from 1s to 10m0s"},
	{"udp port 0", "[webrtc]\nudp_port = 0\n" + valid, "webrtc.udp_port", "from 1 to 65535"},
	{"udp port 70000", "[webrtc]\nudp_port = 70000\n" + valid, "webrtc.udp_port", "from 1 to 65535"},
	{"tcp port negative", "[webrtc]\ntcp_port = -1\n" + valid, "webrtc.tcp_port", "from 0 to 65535"},
	{"tcp port off", "[webrtc]\ntcp_port = 0\n" + valid, "", ""},
	{"public ip junk", "[webrtc]\npublic_ips = [\"nope\"]\n" + valid, "webrtc.public_ips[0]", "must be an IP address"},
	{"public ip unspecified", "[webrtc]\npublic_ips = [\"203.0.113.7\", \"0.0.0.0\"]\n" + valid, "webrtc.public_ips[1]", "unicast"},
	{"interface empty", "[webrtc]\ninterfaces = [\"lo\", \"\"]\n" + valid, "webrtc.interfaces[1]", "interface name"},
	{"max sessions 0", "[webrtc]\nmax_sessions = 0\n" + valid, "webrtc.max_sessions", "from 1 to 100000"},
	{"setup timeout short", "[webrtc]\nsetup_timeout = \"500ms\"\n" + valid, "webrtc.setup_timeout", "from 1s to 5m0s"},
	{"setup timeout long", "[webrtc]\nsetup_timeout = \"6m\"\n" + valid, "webrtc.setup_timeout", "from 1s to 5m0s"},
	{"queue depth small", "[webrtc]\nqueue_depth = 8\n" + valid, "webrtc.queue_depth", "from 16 to 65536"},
	{"queue depth large", "[webrtc]\nqueue_depth = 100000\n" + valid, "webrtc.queue_depth", "from 16 to 65536"},
	{"read buffer small", "[ingest]\nread_buffer = 1000\n" + valid, "ingest.read_buffer", "from 1500 to 65536"},
	{"read buffer large", "[ingest]\nread_buffer = 70000\n" + valid, "ingest.read_buffer", "from 1500 to 65536"},
	{"socket buffer negative", "[ingest]\nsocket_buffer = -1\n" + valid, "ingest.socket_buffer", "from 0 to"},
	{"source timeout zero", "[ingest]\nsource_timeout = \"0s\"\n" + valid, "ingest.source_timeout", "from 1s to 10m0s"},
	{"rr interval short", "[ingest]\nreceiver_report_interval = \"10ms\"\n" + valid, "ingest.receiver_report_interval", "from 100ms to 1m0s"},
}

var streamCases = []tomlCase{
	{"name missing", stream("listen = \"127.0.0.1:5004\"", h264), "stream[0].name", "required"},
	{"name space", stream("name = \"bad name\"\nlisten = \"127.0.0.1:5004\"", h264), "stream[0].name", "may hold only"},
	{"name slash", stream("name = \"a/b\"\nlisten = \"127.0.0.1:5004\"", h264), "stream[0].name", "may hold only"},
	{"name dots", stream("name = \"..\"\nlisten = \"127.0.0.1:5004\"", h264), "stream[0].name", "only dots"},
	{"name long", stream("name = \""+strings.Repeat("n", 65)+"\"\nlisten = \"127.0.0.1:5004\"", h264), "stream[0].name", "at most 64"},
	{"name unicode", stream("name = \"kamera-ü\"\nlisten = \"127.0.0.1:5004\"", h264), "stream[0].name", "may hold only"},
	{"name duplicate", valid + stream("name = \"cam1\"\nlisten = \"127.0.0.1:5006\"", h264), "stream[1].name", "already the name of stream[0]"},
	{"name ok", stream("name = \"Cam_1.front-door\"\nlisten = \"127.0.0.1:5004\"", h264), "", ""},
	{"source unknown", stream(cam1+"source = \"rtsp\"", h264), "stream[0].source", "must be one of rtp"},
	{"listen missing", stream("name = \"cam1\"", h264), "stream[0].listen", "required"},
	{"listen bad", stream("name = \"cam1\"\nlisten = \"5004\"", h264), "stream[0].listen", "host:port"},
	{"rtcp listen bad", stream(cam1+"rtcp_listen = \"127.0.0.1:99999\"", h264), "stream[0].rtcp_listen", "port must be"},
	{"rtcp listen is listen", stream(cam1+"rtcp_listen = \"127.0.0.1:5004\"", h264), "stream[0].rtcp_listen", "already taken by stream[0].listen"},
	{"listen duplicate", valid + stream("name = \"cam2\"\nlisten = \"127.0.0.1:5004\"", h264), "stream[1].listen", "UDP port 5004 is already taken by stream[0].listen"},
	{"listen wildcard clash", valid + stream("name = \"cam2\"\nlisten = \"0.0.0.0:5004\"", h264), "stream[1].listen", "stream[0].listen"},
	{"listen ipv6 wildcard clash", valid + stream("name = \"cam2\"\nlisten = \"[::]:5004\"", h264), "stream[1].listen", "stream[0].listen"},
	{"listen other address", valid + stream("name = \"cam2\"\nlisten = \"127.0.0.2:5004\"", h264), "", ""},
	{"rtcp listen clash", valid + stream("name = \"cam2\"\nlisten = \"127.0.0.1:5006\"\nrtcp_listen = \"127.0.0.1:5004\"", h264), "stream[1].rtcp_listen", "stream[0].listen"},
	{"listen on ice port", stream("name = \"cam1\"\nlisten = \"127.0.0.1:8189\"", h264), "stream[0].listen", "webrtc.udp_port"},
	{"http on ice tcp port", "[http]\nlisten = \"127.0.0.1:8189\"\n" + valid, "webrtc.tcp_port", "TCP port 8189 is already taken by http.listen"},
	{"allow from bits", stream(cam1+"allow_from = [\"10.0.0.0/33\"]", h264), "stream[0].allow_from[0]", "must be a CIDR"},
	{"allow from address", stream(cam1+"allow_from = [\"192.0.2.1\"]", h264), "stream[0].allow_from[0]", `write "192.0.2.1/32"`},
	{"allow from ipv6 bits", stream(cam1+"allow_from = [\"10.0.0.0/8\", \"2001:db8::/129\"]", h264), "stream[0].allow_from[1]", "must be a CIDR"},
	{"allow from ok", stream(cam1+"allow_from = [\"10.0.0.0/8\", \"2001:db8::/32\", \"::1/128\"]", h264), "", ""},
	{"latch", stream(cam1+"latch = \"loose\"", h264), "stream[0].latch", "first | strict"},
	{"relatch short", stream(cam1+"relatch_after = \"10ms\"", h264), "stream[0].relatch_after", "from 100ms to 10m0s"},
	{"viewer token short", stream(cam1+"viewer_token = \"abc\"", h264), "stream[0].viewer_token", "at least 16 characters"},
	{"max viewers negative", stream(cam1+"max_viewers = -1", h264), "stream[0].max_viewers", "from 1 to 100000"},
	{"max viewers zero", stream(cam1+"max_viewers = 0", h264), "stream[0].max_viewers", "from 1 to 100000 (got 0)"},
	{"max viewers huge", stream(cam1+"max_viewers = 100001", h264), "stream[0].max_viewers", "from 1 to 100000"},
	{"keyframe request", stream(cam1+"keyframe_request = \"idr\"", h264), "stream[0].keyframe_request", "pli | fir"},
	{"keyframe interval short", stream(cam1+"keyframe_interval = \"50ms\"", h264), "stream[0].keyframe_interval", "from 100ms to 1m0s"},
	{"keyframe interval long", stream(cam1+"keyframe_interval = \"2m\"", h264), "stream[0].keyframe_interval", "from 100ms to 1m0s"},
	{"no media", stream(cam1, ""), "stream[0]", "needs a [stream.video] table"},
	{"second stream index", valid + stream("name = \"cam2\"\nlisten = \"127.0.0.1:5006\"\nlatch = \"x\"", h264), "stream[1].latch", "first | strict"},
}

const (
	sps = "Z0LAH9kAUAW7ARAAAAMAEAAAAwPI8YMkgA=="
	pps = "aMuDyyA="

	h265   = "[stream.video]\ncodec = \"h265\"\n"
	vps265 = "QAEMAf//AWAAAAMAkAAAAwAAAwBdlZgJ"
	sps265 = "QgEBAWAAAAMAkAAAAwAAAwBdoAKAgC0WWVmkkyvAWgIAAAMAAgAAAwA8EA=="
	pps265 = "RAHBcrRiQA=="
)

var mediaCases = []tomlCase{
	{"video codec unknown", stream(cam1, "[stream.video]\ncodec = \"av1\""), "stream[0].video.codec", "h264 | h265 | vp8"},
	{"h265", stream(cam1, "[stream.video]\ncodec = \"H265\""), "", ""},
	{"h265 sprop", stream(cam1, h265+"sprop_vps = \""+vps265+"\"\nsprop_sps = \""+sps265+"\"\nsprop_pps = \""+pps265+"\""), "", ""},
	{"h265 sprop missing pps", stream(cam1, h265+"sprop_vps = \""+vps265+"\"\nsprop_sps = \""+sps265+"\""), "stream[0].video.sprop_pps", "go together"},
	{"h265 sprop swapped", stream(cam1, h265+"sprop_vps = \""+sps265+"\"\nsprop_sps = \""+vps265+"\"\nsprop_pps = \""+pps265+"\""), "stream[0].video.sprop_vps", "NAL type 33, not 32"},
	{"h265 sprop not base64", stream(cam1, h265+"sprop_vps = \""+vps265+"\"\nsprop_sps = \"!!\"\nsprop_pps = \""+pps265+"\""), "stream[0].video.sprop_sps", "not base64"},
	{"h265 profile_level_id", stream(cam1, h265+"profile_level_id = \"42e01f\""), "stream[0].video.profile_level_id", "only to h264"},
	{"h264 sprop_vps", stream(cam1, h264+"sprop_vps = \""+vps265+"\""), "stream[0].video.sprop_vps", "only to h265"},
	{"video codec missing", stream(cam1, "[stream.video]\npayload_type = 96"), "stream[0].video.codec", `(got "")`},
	{"video codec upper case", stream(cam1, "[stream.video]\ncodec = \"H264\""), "", ""},
	{"video pt range", stream(cam1, h264+"payload_type = 200"), "stream[0].video.payload_type", "from 0 to 127"},
	{"video pt static", stream(cam1, h264+"payload_type = 34"), "stream[0].video.payload_type", "dynamic payload type"},
	{"video clock", stream(cam1, h264+"clock_rate = 8000"), "stream[0].video.clock_rate", "must be 90000"},
	{"profile short", stream(cam1, h264+"profile_level_id = \"42e0\""), "stream[0].video.profile_level_id", "6 hex digits"},
	{"profile not hex", stream(cam1, h264+"profile_level_id = \"zzzzzz\""), "stream[0].video.profile_level_id", "6 hex digits"},
	{"profile upper", stream(cam1, h264+"profile_level_id = \"4D001F\""), "", ""},
	{"vp8 profile", stream(cam1, "[stream.video]\ncodec = \"vp8\"\nprofile_level_id = \"42e01f\""), "stream[0].video.profile_level_id", "only to h264"},
	{"vp8 sprop", stream(cam1, "[stream.video]\ncodec = \"vp8\"\nsprop_parameter_sets = \""+sps+","+pps+"\""), "stream[0].video.sprop_parameter_sets", "only to h264"},
	{"sprop ok", stream(cam1, h264+"sprop_parameter_sets = \""+sps+","+pps+"\""), "", ""},
	{"sprop unpadded", stream(cam1, h264+"sprop_parameter_sets = \""+strings.TrimRight(sps, "=")+","+strings.TrimRight(pps, "=")+"\""), "", ""},
	{"sprop not base64", stream(cam1, h264+"sprop_parameter_sets = \"!!,"+pps+"\""), "stream[0].video.sprop_parameter_sets", "part 1 is not base64"},
	{"sprop one part", stream(cam1, h264+"sprop_parameter_sets = \""+sps+"\""), "stream[0].video.sprop_parameter_sets", "an SPS and a PPS"},
	{"sprop swapped", stream(cam1, h264+"sprop_parameter_sets = \""+pps+","+sps+"\""), "stream[0].video.sprop_parameter_sets", "part 1 must be an SPS"},
	{"sprop two sps", stream(cam1, h264+"sprop_parameter_sets = \""+sps+","+sps+"\""), "stream[0].video.sprop_parameter_sets", "part 2 must be a PPS"},
	{"sprop empty part", stream(cam1, h264+"sprop_parameter_sets = \""+sps+","+pps+",\""), "stream[0].video.sprop_parameter_sets", "part 3 is not base64"},
	{"audio only", stream(cam1, "[stream.audio]\ncodec = \"opus\""), "", ""},
	{"audio codec unknown", stream(cam1, "[stream.audio]\ncodec = \"g722\""), "stream[0].audio.codec", "aac | opus | pcma | pcmu"},
	{"opus pt static", stream(cam1, "[stream.audio]\ncodec = \"opus\"\npayload_type = 8"), "stream[0].audio.payload_type", "dynamic payload type"},
	{"pcmu pt 8", stream(cam1, "[stream.audio]\ncodec = \"pcmu\"\npayload_type = 8"), "stream[0].audio.payload_type", "must be 0 (static) or from 96 to 127"},
	{"pcmu pt dynamic", stream(cam1, "[stream.audio]\ncodec = \"pcmu\"\npayload_type = 100"), "", ""},
	{"pcma pt range", stream(cam1, "[stream.audio]\ncodec = \"pcma\"\npayload_type = 128"), "stream[0].audio.payload_type", "from 0 to 127"},
	{"opus clock", stream(cam1, "[stream.audio]\ncodec = \"opus\"\nclock_rate = 44100"), "stream[0].audio.clock_rate", "must be 48000 for opus"},
	{"opus mono", stream(cam1, "[stream.audio]\ncodec = \"opus\"\nchannels = 1"), "stream[0].audio.channels", "must be 2 for opus"},
	{"pcma stereo", stream(cam1, "[stream.audio]\ncodec = \"pcma\"\nchannels = 2"), "stream[0].audio.channels", "must be 1 for pcma"},
	{"same payload type", stream(cam1, h264+"payload_type = 111\n[stream.audio]\ncodec = \"opus\""), "stream[0].audio.payload_type", "111 is already the video payload type"},
}

var srtpCases = []tomlCase{
	{"srtp 128 80", stream(cam1, h264+srtpTable("AES_CM_128_HMAC_SHA1_80", srtpKey(30, true))), "", ""},
	{"srtp 128 32 unpadded", stream(cam1, h264+srtpTable("AES_CM_128_HMAC_SHA1_32", srtpKey(30, false))), "", ""},
	{"srtp 256 80", stream(cam1, h264+srtpTable("AES_256_CM_HMAC_SHA1_80", srtpKey(46, true))), "", ""},
	{"srtp 256 32 unpadded", stream(cam1, h264+srtpTable("AES_256_CM_HMAC_SHA1_32", srtpKey(46, false))), "", ""},
	{"srtp gcm 128", stream(cam1, h264+srtpTable("AEAD_AES_128_GCM", srtpKey(28, true))), "", ""},
	{"srtp gcm 128 unpadded", stream(cam1, h264+srtpTable("AEAD_AES_128_GCM", srtpKey(28, false))), "", ""},
	{"srtp gcm 256", stream(cam1, h264+srtpTable("AEAD_AES_256_GCM", srtpKey(44, true))), "", ""},
	{"srtp default suite", stream(cam1, h264+"[stream.srtp]\nkey = \""+srtpKey(30, true)+"\""), "", ""},
	{"srtp short key", stream(cam1, h264+srtpTable("AES_CM_128_HMAC_SHA1_80", srtpKey(16, true))), "stream[0].srtp.key", "must decode to 30 bytes for AES_CM_128_HMAC_SHA1_80 (got 16)"},
	{"srtp 256 short key", stream(cam1, h264+srtpTable("AES_256_CM_HMAC_SHA1_80", srtpKey(30, true))), "stream[0].srtp.key", "must decode to 46 bytes for AES_256_CM_HMAC_SHA1_80 (got 30)"},
	{"srtp gcm 128 key", stream(cam1, h264+srtpTable("AEAD_AES_128_GCM", srtpKey(30, true))), "stream[0].srtp.key", "must decode to 28 bytes"},
	{"srtp gcm 256 key", stream(cam1, h264+srtpTable("AEAD_AES_256_GCM", srtpKey(46, true))), "stream[0].srtp.key", "must decode to 44 bytes"},
	{"srtp key not base64", stream(cam1, h264+srtpTable("AES_CM_128_HMAC_SHA1_80", "secret-not-base64!")), "stream[0].srtp.key", "standard base64"},
	{"srtp key url alphabet", stream(cam1, h264+srtpTable("AES_CM_128_HMAC_SHA1_80", "-_"+srtpKey(30, false)[2:])), "stream[0].srtp.key", "standard base64"},
	{"srtp key missing", stream(cam1, h264+"[stream.srtp]\nsuite = \"AES_CM_128_HMAC_SHA1_80\""), "stream[0].srtp.key", "required"},
	{"srtp null suite", stream(cam1, h264+srtpTable("NULL_HMAC_SHA1_80", srtpKey(30, true))), "stream[0].srtp.suite", "do not encrypt"},
	{"srtp unknown suite", stream(cam1, h264+srtpTable("AES_CM_256", srtpKey(30, true))), "stream[0].srtp.suite", "unknown SRTP suite"},
	{"srtp second stream", valid + stream("name = \"cam2\"\nlisten = \"127.0.0.1:5006\"", h264+srtpTable("AES_CM_128_HMAC_SHA1_80", srtpKey(29, true))), "stream[1].srtp.key", "(got 29)"},
}

// allCases is every table above, for FuzzParse's seeds.
func allCases() []tomlCase {
	var all []tomlCase
	for _, table := range [][]tomlCase{globalCases, streamCases, mediaCases, srtpCases, decodeCases, senderCases, transcodeCases} {
		all = append(all, table...)
	}
	return all
}

func TestValidateGlobal(t *testing.T) { runCases(t, globalCases) }
func TestValidateStream(t *testing.T) { runCases(t, streamCases) }
func TestValidateMedia(t *testing.T)  { runCases(t, mediaCases) }
func TestValidateSRTP(t *testing.T)   { runCases(t, srtpCases) }

func runCases(t *testing.T, cases []tomlCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkCase(t, c) })
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	doc := "[log]\nlevel = \"loud\"\n[webrtc]\nqueue_depth = 1\n" +
		stream(cam1+"latch = \"x\"", h264+"payload_type = 3\n"+srtpTable("AES_CM_128_HMAC_SHA1_80", srtpKey(16, true)))
	_, err := Parse([]byte(doc))
	want := []string{"log.level", "webrtc.queue_depth", "stream[0].latch", "stream[0].video.payload_type", "stream[0].srtp.key"}
	var got []string
	for _, fe := range fieldErrors(t, err) {
		got = append(got, fe.Key)
		if !errors.Is(fe, ErrInvalid) {
			t.Errorf("%v: not ErrInvalid", fe)
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("problems at %v, want %v", got, want)
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != len(want) {
		t.Errorf("error has %d lines, want one per problem:\n%v", n, err)
	}
}

func TestValidateFilledDefaults(t *testing.T) {
	cfg, err := Parse([]byte(stream(cam1, h264+"[stream.audio]\ncodec = \"PCMA\"\n[stream.srtp]\nkey = \""+srtpKey(30, false)+"\"")))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Streams[0]
	checks := []struct {
		name      string
		got, want any
	}{
		{"source", s.Source, SourceRTP},
		{"allow_from", strings.Join(s.AllowFrom, ","), "0.0.0.0/0,::/0"},
		{"latch", s.Latch, LatchFirst},
		{"relatch_after", s.RelatchAfter.String(), "3s"},
		{"max_viewers", s.MaxViewers, 100},
		{"keyframe_request", s.KeyframeRequest, KeyframePLI},
		{"keyframe_interval", s.KeyframeInterval.String(), "1s"},
		{"video pt", s.Video.PayloadType, 96},
		{"video clock", s.Video.ClockRate, 90000},
		{"profile", s.Video.ProfileLevelID, "42e01f"},
		{"audio codec", s.Audio.Codec, CodecPCMA},
		{"audio pt", s.Audio.PayloadType, 8},
		{"audio clock", s.Audio.ClockRate, 8000},
		{"audio channels", s.Audio.Channels, 1},
		{"srtp suite", s.SRTP.Suite, "AES_CM_128_HMAC_SHA1_80"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestSRTPProfileAndKey(t *testing.T) {
	for _, s := range srtpSuites {
		p, err := SRTPProfile(s.name)
		if err != nil || p != s.profile {
			t.Errorf("SRTPProfile(%s) = %v, %v", s.name, p, err)
		}
		keyLen, _ := p.KeyLen()
		saltLen, _ := p.SaltLen()
		cfg := &SRTP{Suite: s.name, Key: Secret(srtpKey(keyLen+saltLen, false))}
		key, salt, err := cfg.MasterKeySalt()
		if err != nil || len(key) != keyLen || len(salt) != saltLen {
			t.Errorf("%s: MasterKeySalt = %d, %d bytes, %v", s.name, len(key), len(salt), err)
		}
	}
	for _, c := range []struct {
		suite string
		want  error
	}{{"NULL_HMAC_SHA1_32", ErrNullSuite}, {"F8_128_HMAC_SHA1_80", ErrUnknownSuite}, {"", ErrUnknownSuite}} {
		if _, err := SRTPProfile(c.suite); !errors.Is(err, c.want) {
			t.Errorf("SRTPProfile(%q) = %v, want %v", c.suite, err, c.want)
		}
	}
	secret := srtpKey(20, true)
	_, _, err := (&SRTP{Suite: "AES_CM_128_HMAC_SHA1_80", Key: Secret(secret)}).MasterKeySalt()
	if !errors.Is(err, ErrKeyLength) || strings.Contains(err.Error(), secret) {
		t.Errorf("MasterKeySalt with a short key = %v", err)
	}
	_, _, err = (&SRTP{Suite: "AES_CM_128_HMAC_SHA1_80", Key: "not*base64"}).MasterKeySalt()
	if !errors.Is(err, ErrKeyEncoding) || strings.Contains(err.Error(), "not*base64") {
		t.Errorf("MasterKeySalt with a bad key = %v", err)
	}
}
