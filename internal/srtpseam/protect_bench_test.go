package srtpseam

import (
	"testing"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// BenchmarkProtect is the per-viewer cost the seam moves onto the fan-out
// goroutine: one header rewrite (SSRC, sequence) and one SRTP protect of a
// 1200-byte packet into a reused buffer.
func BenchmarkProtect(b *testing.B) {
	for _, p := range []srtp.ProtectionProfile{srtp.ProtectionProfileAeadAes128Gcm, srtp.ProtectionProfileAes128CmHmacSha1_80} {
		b.Run(p.String(), func(b *testing.B) {
			keyLen, _ := p.KeyLen()
			saltLen, _ := p.SaltLen()
			ctx, err := srtp.CreateContext(make([]byte, keyLen), make([]byte, saltLen), p)
			if err != nil {
				b.Fatal(err)
			}
			h := rtp.Header{Version: 2, PayloadType: 96, SSRC: 1}
			payload := make([]byte, 1200)
			plain := make([]byte, 0, 1500)
			out := make([]byte, 0, 1500)
			b.SetBytes(int64(len(payload)))
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				h.SequenceNumber = uint16(i)
				n, _ := h.MarshalTo(plain[:h.MarshalSize()])
				plain = append(plain[:n], payload...)
				if out, err = ctx.EncryptRTP(out[:0], plain, &h); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
