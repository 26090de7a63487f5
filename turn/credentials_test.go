package turn

import (
	"encoding/hex"
	"net"
	"testing"
	"time"

	pionturn "github.com/pion/turn/v5"

	"mediagate.dev/mediagate/internal/ratelog"
)

// usernameCases are TestParseRESTUsername's table and FuzzParseRESTUsername's seeds.
var usernameCases = []struct {
	in     string
	expiry int64
	label  string
	ok     bool
}{
	{"1700000000:viewer", 1700000000, "viewer", true},
	{"1:a", 1, "a", true},
	{"1700000000:with:colon", 1700000000, "with:colon", true},
	{"1700000000", 0, "", false},
	{":label", 0, "", false},
	{"1700000000:", 0, "", false},
	{"-5:label", 0, "", false},
	{"17e8:label", 0, "", false},
	{"1234567890123:label", 0, "", false}, // 13 digits
	{"1700000000:has space", 0, "", false},
	{"1700000000:ünicode", 0, "", false},
	{"1700000000:" + string(make([]byte, 65)), 0, "", false},
}

func TestParseRESTUsername(t *testing.T) {
	for _, c := range usernameCases {
		exp, label, err := parseRESTUsername(c.in)
		if (err == nil) != c.ok || exp != c.expiry || label != c.label {
			t.Errorf("parseRESTUsername(%q) = %d, %q, %v", c.in, exp, label, err)
		}
	}
}

func FuzzParseRESTUsername(f *testing.F) {
	for _, c := range usernameCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		exp, label, err := parseRESTUsername(s)
		if err != nil {
			return
		}
		if exp < 0 || label == "" || len(label) > maxLabelLen {
			t.Errorf("parseRESTUsername(%q) = %d, %q", s, exp, label)
		}
	})
}

// TestMintKnownAnswer checks the REST password against a value computed
// independently (Python: base64(hmac(b"secret", b"1700000000:alice", sha1))).
func TestMintKnownAnswer(t *testing.T) {
	c := Mint([]byte("secret"), "alice", time.Hour, time.Unix(1700000000-3600, 0))
	if c.Username != "1700000000:alice" || c.Password != "d8soP47RbdIKLDUOpnJPVQyq5Ts=" {
		t.Errorf("Mint = %+v", c)
	}
	// pion's own REST generator agrees.
	if got := pionturn.GenerateAuthKey(c.Username, "r", c.Password); hex.EncodeToString(got) != hex.EncodeToString(LongTermKey(c.Username, "r", c.Password)) {
		t.Errorf("LongTermKey differs from pion's GenerateAuthKey")
	}
}

func TestAuthenticator(t *testing.T) {
	now := time.Unix(1700000000, 0)
	m := NewMetrics(nil)
	a := &authenticator{
		secret: []byte("s3cret-s3cret-s3cret"), realm: "r", maxTTL: time.Hour, now: func() time.Time { return now },
		users: map[string][]byte{"tool": LongTermKey("tool", "r", "pw")}, m: m, log: ratelog.New(discardLog()),
	}
	src := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}
	valid := Mint(a.secret, "v", time.Hour, now)
	cases := []struct {
		name, user, label string
		ok                bool
	}{
		{"minted", valid.Username, "v", true},
		{"static user", "tool", "tool", true},
		{"expired", Mint(a.secret, "v", -time.Second, now).Username, "", false},
		{"beyond the cap", Mint(a.secret, "v", 2*time.Hour, now).Username, "", false},
		{"within the skew", Mint(a.secret, "v", time.Hour+30*time.Second, now).Username, "v", true},
		{"not a REST name", "mallory", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			user, key, ok := a.handle(&pionturn.RequestAttributes{Username: c.user, Realm: "r", SrcAddr: src})
			if ok != c.ok || user != c.label || ok && len(key) != 16 {
				t.Errorf("handle(%q) = %q, %x, %v", c.user, user, key, ok)
			}
		})
	}
	_, key, _ := a.handle(&pionturn.RequestAttributes{Username: valid.Username, Realm: "r", SrcAddr: src})
	if hex.EncodeToString(key) != hex.EncodeToString(LongTermKey(valid.Username, "r", valid.Password)) {
		t.Error("minted credentials do not verify")
	}
}
