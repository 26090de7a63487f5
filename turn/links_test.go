package turn

import (
	"net"
	"testing"
)

func TestURIHost(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"example.com", "example.com", true},
		{"example.com.", "example.com", true},
		{"turn-1.example.com", "turn-1.example.com", true},
		{"192.0.2.1", "192.0.2.1", true},
		{"[2001:db8::1]", "2001:db8::1", true},
		{"2001:db8::1", "2001:db8::1", true},
		{"", "", false},
		{"-bad.example", "", false},
		{"a..b", "", false},
		{`evil"; rel="x`, "", false},
		{"host>", "", false},
		{"ex ample.com", "", false},
	}
	for _, c := range cases {
		got, ok := uriHost(c.in)
		if ok != c.ok || got != c.want {
			t.Errorf("uriHost(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestLinks(t *testing.T) {
	s := &Server{
		udp: []net.Addr{&net.UDPAddr{Port: 3478}},
		tcp: []net.Addr{&net.TCPAddr{Port: 3478}},
		tls: []net.Addr{&net.TCPAddr{Port: 5349}},
	}
	c := Credentials{Username: "1700000000:abc", Password: "p+w/="}
	got := s.Links("2001:db8::1", c)
	want := []string{
		`<turn:[2001:db8::1]:3478?transport=udp>; rel="ice-server"; username="1700000000:abc"; credential="p+w/="; credential-type="password"`,
		`<turn:[2001:db8::1]:3478?transport=tcp>; rel="ice-server"; username="1700000000:abc"; credential="p+w/="; credential-type="password"`,
		`<turns:[2001:db8::1]:5349?transport=tcp>; rel="ice-server"; username="1700000000:abc"; credential="p+w/="; credential-type="password"`,
	}
	if len(got) != len(want) {
		t.Fatalf("Links = %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("link %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
	if got := s.Links("bad host", c); got != nil {
		t.Errorf("Links(bad host) = %q", got)
	}
	if got := link("turn:h", Credentials{Username: `a"b\c`}); got != `<turn:h>; rel="ice-server"; username="a\"b\\c"; credential=""; credential-type="password"` {
		t.Errorf("escaping: %s", got)
	}
}
