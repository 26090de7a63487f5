package livekit

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/pion/webrtc/v4"
)

// subscriber is a participant joined with LiveKit's Go SDK, subscribed to
// every track, counting the video frames (RTP packets with the marker bit)
// of each track it receives.
type subscriber struct {
	room *lksdk.Room

	mu      sync.Mutex
	frames  map[string]int    // track SID -> frames received
	mime    map[string]string // track SID -> codec
	latest  map[string]string // publisher identity -> its latest video track SID
	gone    map[string]bool   // track SIDs unpublished or unsubscribed
	changed chan struct{}     // closed and replaced on every change
}

// joinSubscriber joins room through the node at wsURL as identity.
func joinSubscriber(t *testing.T, wsURL, key, secret, room, identity string) *subscriber {
	t.Helper()
	s := &subscriber{frames: map[string]int{}, mime: map[string]string{}, latest: map[string]string{},
		gone: map[string]bool{}, changed: make(chan struct{})}
	cb := lksdk.NewRoomCallback()
	cb.OnTrackSubscribed = s.subscribed
	// A publisher that unpublishes its track ends in OnTrackUnpublished;
	// one that leaves the room (a WHIP DELETE) in OnTrackUnsubscribed.
	cb.OnTrackUnpublished = func(pub *lksdk.RemoteTrackPublication, rp *lksdk.RemoteParticipant) {
		t.Logf("subscriber %s: %s unpublished track %s", identity, rp.Identity(), pub.SID())
		s.update(func() { s.gone[pub.SID()] = true })
	}
	cb.OnTrackUnsubscribed = func(_ *webrtc.TrackRemote, pub *lksdk.RemoteTrackPublication, rp *lksdk.RemoteParticipant) {
		t.Logf("subscriber %s: track %s of %s went away", identity, pub.SID(), rp.Identity())
		s.update(func() { s.gone[pub.SID()] = true })
	}
	var err error
	s.room, err = lksdk.ConnectToRoom(wsURL, lksdk.ConnectInfo{APIKey: key, APISecret: secret,
		RoomName: room, ParticipantIdentity: identity}, cb,
		lksdk.WithAutoSubscribe(true), lksdk.WithConnectTimeout(10*time.Second))
	if err != nil {
		t.Fatalf("subscriber %s joining %s through %s: %v", identity, room, wsURL, err)
	}
	t.Cleanup(s.room.Disconnect)
	return s
}

// subscribed counts the frames of a video track until it ends.
func (s *subscriber) subscribed(track *webrtc.TrackRemote, pub *lksdk.RemoteTrackPublication, rp *lksdk.RemoteParticipant) {
	if track.Kind() != webrtc.RTPCodecTypeVideo {
		return
	}
	sid := pub.SID()
	s.update(func() {
		s.latest[rp.Identity()] = sid
		s.mime[sid] = track.Codec().MimeType
	})
	go func() {
		for {
			pkt, _, err := track.ReadRTP()
			if err != nil {
				return
			}
			if pkt.Marker {
				s.update(func() { s.frames[sid]++ })
			}
		}
	}()
}

// update applies f under the lock and wakes the waiters.
func (s *subscriber) update(f func()) {
	s.mu.Lock()
	f()
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

// track is the latest video track of identity: its SID, codec and frames.
type track struct {
	sid, mime string
	frames    int
	gone      bool // unpublished, or its publisher left
}

func (s *subscriber) latestTrack(identity string) (track, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sid := s.latest[identity]
	return track{sid: sid, mime: s.mime[sid], frames: s.frames[sid], gone: s.gone[sid]}, s.changed
}

// waitTrack waits until identity's latest video track, other than
// notSID, satisfies cond.
func (s *subscriber) waitTrack(identity, notSID string, d time.Duration, cond func(track) bool) (track, error) {
	deadline := time.After(d)
	for {
		tr, changed := s.latestTrack(identity)
		if tr.sid != "" && tr.sid != notSID && cond(tr) {
			return tr, nil
		}
		select {
		case <-changed:
		case <-deadline:
			return tr, errors.New(describe(identity, tr, d))
		}
	}
}

func describe(identity string, tr track, d time.Duration) string {
	if tr.sid == "" {
		return fmt.Sprintf("no video track of %s within %v", identity, d)
	}
	return fmt.Sprintf("after %v, %s's track %s (%s): %d frames, gone %v",
		d, identity, tr.sid, strings.TrimPrefix(tr.mime, "video/"), tr.frames, tr.gone)
}
