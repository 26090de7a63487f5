package ingest

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/pion/srtp/v3"
)

// TestBatchedReads queues datagrams before the source reads, as a camera's
// frame waits in the socket: oversize ones (one byte over ReadBuffer, and
// far over) sit between good ones, first and last in a batch too, and the
// burst is longer than a batch. The oversize ones are dropped and counted,
// the good ones around them delivered whole and in order, plain and SRTP,
// with payloads that later batches, read into the same buffers, leave
// intact.
func TestBatchedReads(t *testing.T) {
	const limit = 1400
	for _, keys := range []*SRTPConfig{nil, randomKeys(t, srtp.ProtectionProfileAes128CmHmacSha1_80)} {
		t.Run(fmt.Sprintf("srtp %v", keys != nil), func(t *testing.T) {
			h := newIdleHarness(t, SourceConfig{ReadBuffer: limit, SRTP: keys, SocketBuffer: 1 << 20})
			s := newSender(t, h.addr(), keys)
			var want [][]byte
			oversize := 0
			for i := range 3*rtpBatch + 5 {
				switch i % 9 {
				case 0, 4: // a batch's first, and one among others
					s.send(rtpBytes(0x80, videoPT, 7, make([]byte, limit+1-12)...)) // fills the spare byte
					oversize++
				case 8:
					s.send(rtpBytes(0x80, videoPT, 7, make([]byte, 3000)...)) // truncated by the kernel (MSG_TRUNC)
					oversize++
				default:
					p := append(numbered(i), bytes.Repeat([]byte{byte(i)}, 1000)...)
					want = append(want, p)
					s.video(p)
				}
			}
			h.src.Start()
			var got [][]byte
			for range want {
				got = append(got, h.nextVideo().Payload)
			}
			for i := range want {
				if !bytes.Equal(got[i], want[i]) {
					t.Fatalf("packet %d of %d: %d bytes %x…, want %d bytes %x…", i, len(want),
						len(got[i]), got[i][:min(8, len(got[i]))], len(want[i]), want[i][:8])
				}
			}
			if d := h.dropped("oversize"); d != float64(oversize) {
				t.Errorf("dropped{oversize} = %v, want %d", d, oversize)
			}
			h.noVideo()
		})
	}
}

// TestReadBuffers checks the batch's buffers: each one byte over the
// limit and apart from the others, and fewer of them for a large limit.
func TestReadBuffers(t *testing.T) {
	for _, c := range []struct{ limit, batch, want int }{
		{DefaultReadBuffer, rtpBatch, rtpBatch},
		{DefaultReadBuffer, rtcpBatch, rtcpBatch},
		{maxDatagram, rtpBatch, 2},
		{maxBatchBytes, rtpBatch, 1},
	} {
		bufs := readBuffers(c.limit, c.batch)
		if len(bufs) != c.want {
			t.Errorf("limit %d, batch %d: %d buffers, want %d", c.limit, c.batch, len(bufs), c.want)
		}
		for i, b := range bufs {
			if len(b) != c.limit+1 || cap(b) != c.limit+1 {
				t.Errorf("limit %d: buffer %d of %d bytes (capacity %d), want %d", c.limit, i, len(b), cap(b), c.limit+1)
			}
		}
	}
}
