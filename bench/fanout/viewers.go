package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/nack"
	"github.com/pion/interceptor/pkg/report"
	"github.com/pion/transport/v5"
	"github.com/pion/transport/v5/stdnet"
	"github.com/pion/webrtc/v4"
)

// viewerReadBuffer holds one RTP packet as delivered by either server.
const viewerReadBuffer = 1500

// viewerNetwork says where a viewer's ICE may gather candidates and how
// much of a browser's receive side it runs.
type viewerNetwork struct {
	iface    string // the only interface ICE may use
	loopback bool   // gather loopback candidates (needed when iface is "lo")
	// lean viewers run ICE, DTLS and SRTP and nothing else: no NACK
	// generator, no receiver reports (no interceptor at all), so that one
	// process can host hundreds of them. The soak's viewers are not lean:
	// they repair loss with NACKs as a browser does.
	lean bool
	// stamped viewers each have their own ICE sockets' arrival table
	// (stampedNet): the benchmark's, which measure the latency the server
	// adds up to the socket.
	stamped bool
}

// viewerAPI makes the pion API of the viewers on one network: one API
// shared by all, or, for stamped viewers, one per viewer (their sockets
// record arrivals in the viewer's own table) sharing the codecs, the
// interceptors and the settings.
type viewerAPI struct {
	net    viewerNetwork
	me     *webrtc.MediaEngine
	ir     *interceptor.Registry
	se     webrtc.SettingEngine
	host   transport.Net // the host's stack, under each viewer's stampedNet
	shared *webrtc.API   // the API of viewers that are not stamped
}

// newViewerAPI returns the API maker for viewers on net: H.264 (and pion's
// other default codecs), IPv4 UDP only, mDNS off, no TWCC (so the server's
// REMB path is what a Chrome viewer would exercise), and, unless net.lean,
// NACK generation and receiver reports like a browser. pion has no jitter
// buffer on this path: packets are read as they arrive.
func newViewerAPI(net viewerNetwork) (*viewerAPI, error) {
	a := &viewerAPI{net: net, me: &webrtc.MediaEngine{}, ir: &interceptor.Registry{}}
	if err := a.me.RegisterDefaultCodecs(); err != nil {
		return nil, fmt.Errorf("register codecs: %w", err)
	}
	if !net.lean {
		if err := addBrowserInterceptors(a.ir); err != nil {
			return nil, err
		}
	}
	a.se.SetInterfaceFilter(func(name string) bool { return name == net.iface })
	a.se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	a.se.SetIncludeLoopbackCandidate(net.loopback)
	a.se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	if !net.stamped {
		a.shared = webrtc.NewAPI(webrtc.WithMediaEngine(a.me), webrtc.WithInterceptorRegistry(a.ir), webrtc.WithSettingEngine(a.se))
		return a, nil
	}
	host, err := stdnet.NewNet()
	if err != nil {
		return nil, fmt.Errorf("host network: %w", err)
	}
	a.host = host
	return a, nil
}

// forViewer returns the API of one new viewer and, for a stamped one, the
// table its sockets record arrivals in (nil otherwise). Each
// PeerConnection copies the media engine, so sharing it is safe.
func (a *viewerAPI) forViewer() (*webrtc.API, *arrivalTable) {
	if !a.net.stamped {
		return a.shared, nil
	}
	arrivals := &arrivalTable{}
	se := a.se
	se.SetNet(&stampedNet{Net: a.host, arrivals: arrivals})
	api := webrtc.NewAPI(webrtc.WithMediaEngine(a.me), webrtc.WithInterceptorRegistry(a.ir), webrtc.WithSettingEngine(se))
	return api, arrivals
}

// addBrowserInterceptors adds NACK generation and receiver reports to ir.
func addBrowserInterceptors(ir *interceptor.Registry) error {
	gen, err := nack.NewGeneratorInterceptor()
	if err != nil {
		return fmt.Errorf("nack generator: %w", err)
	}
	ir.Add(gen)
	rr, err := report.NewReceiverInterceptor()
	if err != nil {
		return fmt.Errorf("receiver reports: %w", err)
	}
	ir.Add(rr)
	return nil
}

// viewer is one pion PeerConnection watching the stream. It drains every
// track it receives and counts the RTP packets.
type viewer struct {
	pc      *webrtc.PeerConnection
	packets atomic.Uint64
	lost    atomic.Uint64 // packets missing from the sequence numbers read

	connected chan struct{} // closed when ICE and DTLS are up
	receiving chan struct{} // closed on the first RTP packet
	failed    chan struct{} // closed when the connection fails or closes
	onceConn  sync.Once
	onceRecv  sync.Once
	onceFail  sync.Once

	// release ends the session on the server (WHEP DELETE, Janus detach);
	// set by the server that created the viewer.
	release func(context.Context) error
	// onPacket, when set before the connection starts, sees every RTP
	// packet as read, after SRTP (the soak counts frames with it, the
	// benchmark measures latency).
	onPacket func(b []byte)
	// arrivals, for a stamped viewer, is where its sockets record when
	// each RTP packet arrived; nil otherwise.
	arrivals *arrivalTable
	wg       sync.WaitGroup // track readers
}

// newViewer creates a PeerConnection on an API from apis with the handlers
// that track its state and drain its media.
func newViewer(apis *viewerAPI) (*viewer, error) {
	api, arrivals := apis.forViewer()
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, fmt.Errorf("new peer connection: %w", err)
	}
	v := &viewer{
		pc:        pc,
		arrivals:  arrivals,
		connected: make(chan struct{}),
		receiving: make(chan struct{}),
		failed:    make(chan struct{}),
	}
	pc.OnConnectionStateChange(v.onState)
	pc.OnTrack(v.onTrack)
	return v, nil
}

// onState records the connection's progress.
func (v *viewer) onState(s webrtc.PeerConnectionState) {
	switch s {
	case webrtc.PeerConnectionStateConnected:
		v.onceConn.Do(func() { close(v.connected) })
	case webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
		v.onceFail.Do(func() { close(v.failed) })
	}
}

// onTrack starts draining a remote track and its RTCP.
func (v *viewer) onTrack(t *webrtc.TrackRemote, r *webrtc.RTPReceiver) {
	v.wg.Add(2)
	go v.readRTP(t)
	go v.readRTCP(r)
}

// readRTP reads the track until it ends, counting packets. Read (not
// ReadRTP) is enough: counting needs no parse, and it keeps the viewers'
// own CPU, which shares the machine with the servers, low.
func (v *viewer) readRTP(t *webrtc.TrackRemote) {
	defer v.wg.Done()
	buf := make([]byte, viewerReadBuffer)
	var gaps seqGaps
	for {
		n, _, err := t.Read(buf)
		if err != nil {
			return
		}
		if n >= 4 {
			v.lost.Add(gaps.next(binary.BigEndian.Uint16(buf[2:4])))
		}
		if v.onPacket != nil {
			v.onPacket(buf[:n])
		}
		if v.packets.Add(1) == 1 {
			v.onceRecv.Do(func() { close(v.receiving) })
		}
	}
}

// readRTCP drains the server's RTCP (sender reports) so its buffer never
// fills; the interceptors have already seen each packet.
func (v *viewer) readRTCP(r *webrtc.RTPReceiver) {
	defer v.wg.Done()
	for {
		if _, _, err := r.ReadRTCP(); err != nil {
			return
		}
	}
}

// waitConnected returns once ICE and DTLS are up.
func (v *viewer) waitConnected(ctx context.Context) error {
	return v.await(ctx, v.connected)
}

// waitReceiving returns once the viewer is connected and has received its
// first RTP packet.
func (v *viewer) waitReceiving(ctx context.Context) error {
	if err := v.await(ctx, v.connected); err != nil {
		return err
	}
	return v.await(ctx, v.receiving)
}

// await waits for ch to close, failing if the connection fails first.
func (v *viewer) await(ctx context.Context, ch <-chan struct{}) error {
	select {
	case <-ch:
		return nil
	case <-v.failed:
		return fmt.Errorf("connection %s: %w", v.pc.ConnectionState(), errViewer)
	case <-ctx.Done():
		return fmt.Errorf("state %s, %d packets: %w: %w", v.pc.ConnectionState(), v.packets.Load(), errViewer, ctx.Err())
	}
}

// close ends the session on the server, then the PeerConnection, and waits
// for the readers. Errors from the server are returned; the local close
// always happens.
func (v *viewer) close(ctx context.Context) error {
	var err error
	if v.release != nil {
		err = v.release(ctx)
	}
	if cerr := v.pc.Close(); cerr != nil && !errors.Is(cerr, io.EOF) {
		err = errors.Join(err, fmt.Errorf("close peer connection: %w", cerr))
	}
	v.wg.Wait()
	return err
}

// seqGaps counts the packets missing from a track's RTP sequence numbers:
// a packet ahead of the newest by d says d-1 were skipped; a duplicate or a
// late packet (behind the newest by less than maxLate) is not counted
// again; a jump further back or by half the sequence space is a restart of
// the numbering, counted as no loss.
type seqGaps struct {
	started bool
	newest  uint16
}

// maxLate is how far behind the newest a packet may be and still be late.
const maxLate = 1000

// next takes the sequence number of the packet just read and returns the
// packets it shows lost.
func (g *seqGaps) next(seq uint16) uint64 {
	d := seq - g.newest
	switch {
	case !g.started:
		g.started, g.newest = true, seq
		return 0
	case d == 0 || g.newest-seq < maxLate:
		return 0
	case d >= 1<<15:
		g.newest = seq
		return 0
	}
	g.newest = seq
	return uint64(d - 1)
}
