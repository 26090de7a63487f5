package config

import (
	"strings"
	"testing"
)

// senderCases cover the [senders] table, ingest.port_range, [http.tls] and
// [[webhook]].
var senderCases = []tomlCase{
	{"port range ok", "[ingest]\nport_range = \"50000-50009\"\n" + valid, "", ""},
	{"port range one port", "[ingest]\nport_range = \"50000-50000\"\n" + valid, "", ""},
	{"port range reversed", "[ingest]\nport_range = \"50009-50000\"\n" + valid, "ingest.port_range", "first <= last"},
	{"port range junk", "[ingest]\nport_range = \"many\"\n" + valid, "ingest.port_range", "\"first-last\""},
	{"port range too high", "[ingest]\nport_range = \"65000-65536\"\n" + valid, "ingest.port_range", "from 1 to 65535"},
	{"senders listen ipv6", "[senders]\nlisten_ip = \"::\"\n" + valid, "", ""},
	{"senders listen host name", "[senders]\nlisten_ip = \"localhost\"\n" + valid, "senders.listen_ip", "IP address"},
	{"senders suite unknown", "[senders]\nsrtp_suites = [\"AES_CM_128_HMAC_SHA1_80\", \"F8_128_HMAC_SHA1_80\"]\n" + valid,
		"senders.srtp_suites[1]", "unknown SRTP suite"},
	{"senders suite twice", "[senders]\nsrtp_suites = [\"AEAD_AES_128_GCM\", \"AEAD_AES_128_GCM\"]\n" + valid,
		"senders.srtp_suites[1]", "listed twice"},
	{"senders no suites", "[senders]\nsrtp_suites = []\n" + valid, "", ""},
	{"senders offer plain", "[senders]\noffer_srtp = \"none\"\n" + valid, "", ""},
	{"senders offer null", "[senders]\noffer_srtp = \"NULL_HMAC_SHA1_80\"\n" + valid, "senders.offer_srtp", "or \"none\""},
	{"senders idle below source timeout", "[ingest]\nsource_timeout = \"10s\"\n[senders]\nidle_timeout = \"5s\"\n" + valid,
		"senders.idle_timeout", "from 10s to 24h0m0s"},
	{"senders max streams negative", "[senders]\nmax_streams = -1\n" + valid, "senders.max_streams", "from 0 to 10000"},
	{"senders off", "[senders]\nmax_streams = 0\n" + valid, "", ""},
	{"tls ok", "[http.tls]\nlisten = \"127.0.0.1:8443\"\ncert_file = \"c.pem\"\nkey_file = \"k.pem\"\n" + valid, "", ""},
	{"tls no key", "[http.tls]\nlisten = \"127.0.0.1:8443\"\ncert_file = \"c.pem\"\n" + valid, "http.tls.key_file", "required"},
	{"tls no cert", "[http.tls]\nlisten = \"127.0.0.1:8443\"\nkey_file = \"k.pem\"\n" + valid, "http.tls.cert_file", "required"},
	{"tls files without listen", "[http.tls]\ncert_file = \"c.pem\"\nkey_file = \"k.pem\"\n" + valid, "http.tls.listen", "required"},
	{"tls same port as http", "[http]\nlisten = \"0.0.0.0:8080\"\n[http.tls]\nlisten = \"127.0.0.1:8080\"\ncert_file = \"c\"\nkey_file = \"k\"\n" + valid,
		"http.tls.listen", "taken by http.listen"},
	{"tls same port as ice tcp", "[webrtc]\ntcp_port = 8443\n[http.tls]\nlisten = \"0.0.0.0:8443\"\ncert_file = \"c\"\nkey_file = \"k\"\n" + valid,
		"http.tls.listen", "taken by webrtc.tcp_port"},
	{"tls bad listen", "[http.tls]\nlisten = \"8443\"\ncert_file = \"c\"\nkey_file = \"k\"\n" + valid, "http.tls.listen", "host:port"},
	{"webhook ok", webhook(`url = "https://hooks.example.com/x"`, `events = ["stream.up", "viewer.*", "*"]`), "", ""},
	{"webhook no url", webhook(`timeout = "1s"`), "webhook[0].url", "required"},
	{"webhook ftp", webhook(`url = "ftp://example.com/"`), "webhook[0].url", "http:// or https://"},
	{"webhook credentials", webhook(`url = "https://u:p@example.com/"`), "webhook[0].url", "credentials"},
	{"webhook short secret", "[[webhook]]\nurl = \"http://127.0.0.1:9/\"\nsecret = \"short\"\n" + valid, "webhook[0].secret", "at least 16"},
	{"webhook no secret", "[[webhook]]\nurl = \"http://127.0.0.1:9/\"\n" + valid, "webhook[0].secret", "required"},
	{"webhook bad event", webhook(`url = "http://127.0.0.1:9/"`, `events = ["Stream.Up"]`), "webhook[0].events[0]", "event type"},
	{"webhook timeout long", webhook(`url = "http://127.0.0.1:9/"`, `timeout = "2m"`), "webhook[0].timeout", "from 100ms to 1m0s"},
	{"webhook attempts", webhook(`url = "http://127.0.0.1:9/"`, `max_attempts = 21`), "webhook[0].max_attempts", "from 1 to 20"},
	{"webhook queue", webhook(`url = "http://127.0.0.1:9/"`, `queue_size = -5`), "webhook[0].queue_size", "from 1 to 100000"},
	{"webhook unknown key", webhook(`url = "http://127.0.0.1:9/"`, `retries = 3`), "webhook[0].retries", "unknown key"},
}

// webhook renders a [[webhook]] table with a valid secret and the given
// lines, before a valid stream.
func webhook(lines ...string) string {
	return "[[webhook]]\nsecret = \"0123456789abcdef\"\n" + strings.Join(lines, "\n") + "\n" + valid
}

func TestValidateSenders(t *testing.T) { runCases(t, senderCases) }

func TestPorts(t *testing.T) {
	cases := []struct {
		in          string
		first, last int
		ok          bool
	}{
		{"40000-40999", 40000, 40999, true},
		{" 1 - 65535 ", 1, 65535, true},
		{"0-10", 0, 0, false},
		{"10", 0, 0, false},
		{"a-b", 0, 0, false},
	}
	for _, c := range cases {
		first, last, ok := Ingest{PortRange: c.in}.Ports()
		if first != c.first || last != c.last || ok != c.ok {
			t.Errorf("Ports(%q) = %d, %d, %v; want %d, %d, %v", c.in, first, last, ok, c.first, c.last, c.ok)
		}
	}
}

func TestDiffSeesSenderSettings(t *testing.T) {
	a := mustParse(t, webhook(`url = "http://127.0.0.1:9/"`))
	b := mustParse(t, "[[webhook]]\nsecret = \"fedcba9876543210\"\nurl = \"http://127.0.0.1:9/\"\n[http.tls]\n"+
		"listen = \"127.0.0.1:8443\"\ncert_file = \"c\"\nkey_file = \"k\"\n"+valid)
	var keys []string
	for _, s := range Diff(a, b).Settings {
		keys = append(keys, s.Key)
	}
	want := "http.tls.listen http.tls.cert_file http.tls.key_file webhook"
	if got := strings.Join(keys, " "); got != want {
		t.Errorf("Diff settings = %q, want %q", got, want)
	}
}
