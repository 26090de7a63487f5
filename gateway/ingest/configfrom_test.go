package ingest

import (
	"encoding/base64"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pion/srtp/v3"

	"mediagate.dev/mediagate/gateway/config"
)

func TestSourceConfigFrom(t *testing.T) {
	keySalt := make([]byte, 30)
	for i := range keySalt {
		keySalt[i] = byte(i)
	}
	st := config.Stream{
		Name: "cam1", Listen: "127.0.0.1:5004", RTCPListen: "127.0.0.1:5005",
		AllowFrom: []string{"10.1.2.3/8", "::1/128"}, Latch: "strict",
		RelatchAfter: config.Duration(2 * time.Second), KeyframeRequest: "fir",
		KeyframeInterval: config.Duration(3 * time.Second),
		SRTP:             &config.SRTP{Suite: "AES_CM_128_HMAC_SHA1_80", Key: config.Secret(base64.StdEncoding.EncodeToString(keySalt))},
	}
	in := config.Ingest{ReadBuffer: 1500, SocketBuffer: 1 << 20, SourceTimeout: config.Duration(7 * time.Second),
		ReceiverReportInterval: config.Duration(time.Second)}
	got, err := SourceConfigFrom(st, in)
	if err != nil {
		t.Fatal(err)
	}
	wantAllow := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	if got.Name != "cam1" || got.Listen != st.Listen || got.RTCPListen != st.RTCPListen ||
		!slices.Equal(got.AllowFrom, wantAllow) || got.Latch != "strict" || got.RelatchAfter != 2*time.Second ||
		got.KeyframeRequest != "fir" || got.KeyframeInterval != 3*time.Second || got.ReadBuffer != 1500 ||
		got.SocketBuffer != 1<<20 || got.SourceTimeout != 7*time.Second || got.ReceiverReportInterval != time.Second {
		t.Errorf("SourceConfig = %+v", got)
	}
	if k := got.SRTP; k == nil || k.Profile != srtp.ProtectionProfileAes128CmHmacSha1_80 ||
		!slices.Equal(k.Key, keySalt[:16]) || !slices.Equal(k.Salt, keySalt[16:]) {
		t.Errorf("SRTP = %+v", got.SRTP)
	}

	plain := st
	plain.SRTP = nil
	if got, err := SourceConfigFrom(plain, in); err != nil || got.SRTP != nil {
		t.Errorf("plain stream: %+v, %v", got.SRTP, err)
	}
}

func TestSourceConfigFromErrors(t *testing.T) {
	const secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQ="
	for _, c := range []struct {
		name string
		st   config.Stream
		want error
	}{
		{"bad CIDR", config.Stream{AllowFrom: []string{"10.0.0.0/33"}}, ErrConfig},
		{"unknown suite", config.Stream{SRTP: &config.SRTP{Suite: "ROT13", Key: secret}}, ErrSRTP},
		{"short key", config.Stream{SRTP: &config.SRTP{Suite: "AES_CM_128_HMAC_SHA1_80", Key: secret}}, ErrSRTP},
		{"not base64", config.Stream{SRTP: &config.SRTP{Suite: "AES_CM_128_HMAC_SHA1_80", Key: "!!" + secret}}, ErrSRTP},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := SourceConfigFrom(c.st, config.Ingest{})
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("error reveals the key: %v", err)
			}
		})
	}
}

func TestSourceConfigFromREMB(t *testing.T) {
	off, on := false, true
	tests := []struct {
		name string
		remb config.REMB
		want *REMBConfig
	}{
		{"absent table is on", config.REMB{MinBitrate: 100, MaxBitrate: 8000, StartBitrate: 2000},
			&REMBConfig{MinBitrate: 100_000, MaxBitrate: 8_000_000, StartBitrate: 2_000_000}},
		{"enabled with abs-send-time", config.REMB{Enabled: &on, MinBitrate: 100, MaxBitrate: 6000, StartBitrate: 2000,
			AbsSendTimeID: 3}, &REMBConfig{MinBitrate: 100_000, MaxBitrate: 6_000_000, StartBitrate: 2_000_000,
			AbsSendTimeID: 3}},
		{"disabled", config.REMB{Enabled: &off, MinBitrate: 100}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SourceConfigFrom(config.Stream{Name: "cam1", REMB: tt.remb}, config.Ingest{})
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.want == nil && got.REMB != nil:
				t.Errorf("REMB = %+v, want nil", got.REMB)
			case tt.want != nil && (got.REMB == nil || got.REMB.MinBitrate != tt.want.MinBitrate ||
				got.REMB.MaxBitrate != tt.want.MaxBitrate || got.REMB.StartBitrate != tt.want.StartBitrate ||
				got.REMB.AbsSendTimeID != tt.want.AbsSendTimeID || got.REMB.Demand != nil || got.REMB.Interval != 0):
				t.Errorf("REMB = %+v, want %+v", got.REMB, tt.want)
			}
		})
	}
}
