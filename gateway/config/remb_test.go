package config

import "testing"

const whipStream = "name = \"studio\"\nsource = \"whip\"\npublish_token = \"0123456789abcdef\""

var vp8Video = "\n[stream.video]\ncodec = \"vp8\"\n"

var rembCases = []tomlCase{
	{"remb defaults", valid, "", ""},
	{"remb off", valid + "[stream.remb]\nenabled = false\n", "", ""},
	{"remb min above max", valid + "[stream.remb]\nmin_bitrate = 900\nmax_bitrate = 800\nstart_bitrate = 850\n", "stream[0].remb.min_bitrate", "must not exceed max_bitrate"},
	{"remb start outside", valid + "[stream.remb]\nstart_bitrate = 9000\n", "stream[0].remb.start_bitrate", "must lie within"},
	{"remb max huge", valid + "[stream.remb]\nmax_bitrate = 200000\n", "stream[0].remb.max_bitrate", "from 30 to 100000"},
	{"remb small max only", valid + "[stream.remb]\nmax_bitrate = 60\n", "", ""},
	{"remb extension id", valid + "[stream.remb]\nabs_send_time_id = 256\n", "stream[0].remb.abs_send_time_id", "from 0 to 255"},
	{"output ok", valid + "[stream.output]\naddress = \"127.0.0.1:6000\"\n", "", ""},
	{"output missing address", valid + "[stream.output]\nlisten = \"0.0.0.0:6002\"\n", "stream[0].output.address", "required"},
	{"output wildcard address", valid + "[stream.output]\naddress = \"0.0.0.0:6000\"\n", "stream[0].output.address", "must name the receiver"},
	{"output bad listen", valid + "[stream.output]\naddress = \"127.0.0.1:6000\"\nlisten = \"6002\"\n", "stream[0].output.listen", "host:port"},
	{"output srtp no key", valid + "[stream.output]\naddress = \"127.0.0.1:6000\"\n[stream.output.srtp]\n", "stream[0].output.srtp.key", "required"},
	{"output srtp send key", valid + "[stream.output]\naddress = \"127.0.0.1:6000\"\n[stream.output.srtp]\nkey = \"" + srtpKey(30, true) +
		"\"\nsend_key = \"" + srtpKey(30, true) + "\"\n", "stream[0].output.srtp.send_key", "does not apply"},
	{"whip ok", stream(whipStream, vp8Video), "", ""},
	{"whip no token", stream("name = \"studio\"\nsource = \"whip\"", vp8Video), "stream[0].publish_token", "required for source \"whip\""},
	{"whip short token", stream("name = \"studio\"\nsource = \"whip\"\npublish_token = \"short\"", vp8Video), "stream[0].publish_token", "at least 16"},
	{"whip listen", stream(whipStream+"\nlisten = \"127.0.0.1:5004\"", vp8Video), "stream[0].listen", "applies only to source \"rtp\""},
	{"whip h264 main", stream(whipStream, "\n[stream.video]\ncodec = \"h264\"\nprofile_level_id = \"4d001f\"\n"), "stream[0].video.profile_level_id", "must be \"42e01f\""},
	{"whip h264", stream(whipStream, "\n[stream.video]\ncodec = \"h264\"\n"), "", ""},
	{"whip pcmu", stream(whipStream, vp8Video+"[stream.audio]\ncodec = \"pcmu\"\n"), "stream[0].audio.codec", "must be \"opus\""},
	{"publish token on rtp", stream("name = \"cam1\"\nlisten = \"127.0.0.1:5004\"\npublish_token = \"0123456789abcdef\"", h264), "stream[0].publish_token", "applies only to source \"whip\""},
}

func TestValidateREMBOutputWHIP(t *testing.T) { runCases(t, rembCases) }
