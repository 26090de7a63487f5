package config

import (
	"strings"
	"testing"
)

// turnTable renders a [turn] table from its keys; it goes before the
// streams (a [[turn.user]] table ends it).
func turnTable(keys string) string { return "[turn]\n" + keys + "\n" }

// turnCases are the [turn] problems Validate must report.
var turnCases = []tomlCase{
	{"turn left out", valid, "", ""},
	{"turn enabled with defaults", turnTable("enabled = true") + valid, "", ""},
	{"turn with everything", turnTable(`enabled = true
realm = "example.com"
udp_listen = ["127.0.0.1:3478", "[::1]:3478"]
tcp_listen = []
tls_listen = ["0.0.0.0:443"]
tls_cert = "/etc/c.pem"
tls_key = "/etc/k.pem"
host = "turn.example.com"
secret = "0123456789abcdef"
credential_ttl = "1h"
relay_address = "192.0.2.1"
relay_ports = "50000-50100"
public_ips = ["203.0.113.7", "2001:db8::7"]
allow_peers = ["198.51.100.0/24"]
max_allocations = 10
max_allocations_per_user = 2
max_lifetime = "1h"
unauth_rate = 0
unauth_burst = 1
[[turn.user]]
name = "tool"
key = "0xd1187ac72db66e8d408f1b8ffcabe768"
[[turn.user]]
name = "other"
key = "D1187AC72DB66E8D408F1B8FFCABE768"`) + valid, "", ""},
	{"bad realm", turnTable(`realm = "a\"b"`) + valid, "turn.realm", "printable"},
	{"empty realm", turnTable(`realm = ""`) + valid, "turn.realm", "1 to 64"},
	{"bad listen", turnTable(`udp_listen = ["3478"]`) + valid, "turn.udp_listen[0]", "host:port"},
	{"cert without key", turnTable(`tls_cert = "/c.pem"`) + valid, "turn.tls_cert", "both"},
	{"no listener", turnTable("enabled = true\nudp_listen = []\ntcp_listen = []") + valid, "turn.udp_listen", "needs a UDP, TCP or TLS listener"},
	{"tls listener without cert is none", turnTable("enabled = true\nudp_listen = []\ntcp_listen = []\ntls_listen = [\"0.0.0.0:5349\"]") + valid, "turn.udp_listen", "needs"},
	{"host with port", turnTable(`host = "turn.example.com:3478"`) + valid, "turn.host", "without a port"},
	{"host with a quote", turnTable(`host = "a\"b"`) + valid, "turn.host", "DNS name"},
	{"short secret", turnTable(`secret = "short"`) + valid, "turn.secret", "at least 16"},
	{"long credential ttl", turnTable(`credential_ttl = "200h"`) + valid, "turn.credential_ttl", "from 1m0s to 168h0m0s"},
	{"bad relay address", turnTable(`relay_address = "turn.example.com"`) + valid, "turn.relay_address", "IP address"},
	{"relay ports inverted", turnTable(`relay_ports = "60000-50000"`) + valid, "turn.relay_ports", "min <= max"},
	{"relay ports privileged", turnTable(`relay_ports = "80-90"`) + valid, "turn.relay_ports", "1024"},
	{"relay ports hold the ICE port", turnTable("enabled = true\nrelay_ports = \"8000-9000\"") + valid, "turn.relay_ports", "webrtc.udp_port"},
	{"relay ports hold a stream", turnTable("enabled = true\nrelay_ports = \"5000-6000\"") + valid, "turn.relay_ports", "stream[0].listen"},
	{"relay ports overlap the ingest range", "[ingest]\nport_range = \"50000-50010\"\n" + turnTable("enabled = true") + valid, "turn.relay_ports", "ingest.port_range"},
	{"disabled turn may overlap", turnTable("relay_ports = \"8000-9000\"") + valid, "", ""},
	{"two public IPv4", turnTable(`public_ips = ["203.0.113.7", "203.0.113.8"]`) + valid, "turn.public_ips", "at most one"},
	{"bad public ip", turnTable(`public_ips = ["0.0.0.0"]`) + valid, "turn.public_ips[0]", "unicast"},
	{"bare allow address", turnTable(`allow_peers = ["198.51.100.7"]`) + valid, "turn.allow_peers[0]", "198.51.100.7/32"},
	{"zero allocations", turnTable(`max_allocations = 0`) + valid, "turn.max_allocations", "from 1"},
	{"too many per user", turnTable(`max_allocations_per_user = 5000`) + valid, "turn.max_allocations_per_user", "to 1000"},
	{"short lifetime", turnTable(`max_lifetime = "1s"`) + valid, "turn.max_lifetime", "from 1m0s"},
	{"negative rate", turnTable(`unauth_rate = -1`) + valid, "turn.unauth_rate", "from 0"},
	{"zero burst", turnTable(`unauth_burst = 0`) + valid, "turn.unauth_burst", "from 1"},
	{"user with colon", turnTable("[[turn.user]]\nname = \"a:b\"\nkey = \"d1187ac72db66e8d408f1b8ffcabe768\"") + valid, "turn.user[0].name", "without ':'"},
	{"user twice", turnTable("[[turn.user]]\nname = \"a\"\nkey = \"d1187ac72db66e8d408f1b8ffcabe768\"\n[[turn.user]]\nname = \"a\"\nkey = \"d1187ac72db66e8d408f1b8ffcabe768\"") + valid, "turn.user[1].name", "already"},
	{"user key not hex", turnTable("[[turn.user]]\nname = \"a\"\nkey = \"password\"") + valid, "turn.user[0].key", "32 hex digits"},
	{"turn udp on the ICE port", "[webrtc]\nudp_port = 3478\n" + turnTable("enabled = true") + valid, "turn.udp_listen[0]", "already taken by webrtc.udp_port"},
	{"turn tcp on the http port", turnTable("enabled = true\ntcp_listen = [\"0.0.0.0:8080\"]") + valid, "turn.tcp_listen[0]", "already taken by http.listen"},
	{"turn tls beside turn tcp", turnTable("enabled = true\ntls_listen = [\"0.0.0.0:3478\"]\ntls_cert = \"/c\"\ntls_key = \"/k\"") + valid, "turn.tls_listen[0]", "already taken by turn.tcp_listen[0]"},
	{"turn on a stream port", turnTable("enabled = true\nudp_listen = [\"127.0.0.1:5004\"]") + valid, "turn.udp_listen[0]", "already taken by stream[0].listen"},
}

func TestValidateTurn(t *testing.T) { runCases(t, turnCases) }

func TestTurnHelpers(t *testing.T) {
	cfg, err := Parse([]byte(turnCases[2].doc))
	if err != nil {
		t.Fatal(err)
	}
	tu := cfg.Turn
	if lo, hi, ok := tu.RelayPortRange(); !ok || lo != 50000 || hi != 50100 {
		t.Errorf("RelayPortRange = %d, %d, %v", lo, hi, ok)
	}
	keys := tu.UserKeys()
	if len(keys) != 2 || len(keys["tool"]) != 16 || string(keys["tool"]) != string(keys["other"]) {
		t.Errorf("UserKeys = %x", keys)
	}
	if !tu.TLS() || !cfg.hasSecrets() {
		t.Error("TLS or secrets not seen")
	}
	if strings.Contains(tu.fingerprint(), "0123456789abcdef") {
		t.Error("the fingerprint shows the secret")
	}
}

func TestDiffTurn(t *testing.T) {
	a, err := Parse([]byte(turnTable("enabled = true\nsecret = \"0123456789abcdef\"") + valid))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Parse([]byte(turnTable("enabled = true\nsecret = \"0123456789abcdeX\"") + valid))
	ch := Diff(a, b)
	if len(ch.Settings) != 1 || ch.Settings[0].Key != "turn" || !ch.Settings[0].Restart {
		t.Errorf("a new secret: %+v", ch)
	}
	if !Diff(a, a).Empty() {
		t.Error("the same config differs")
	}
}
