package stream

import (
	"sync"
	"time"
)

// The join budget bounds the keyframe requests that skip the source's
// spacing (ingest's and WHIP's keyframe_interval) for viewers that are
// joining: a token bucket per stream holding at most JoinKeyframeBurst
// requests and gaining one every JoinKeyframeEvery. A camera thus sees at
// most 3 join requests at once and 2 a second after that, on top of one
// regular request per keyframe_interval, however many viewers join.
const (
	// JoinKeyframeBurst is how many join requests may go out at once.
	JoinKeyframeBurst = 3
	// JoinKeyframeEvery is how often the budget regains one request.
	JoinKeyframeEvery = 500 * time.Millisecond
)

// JoinKeyframeRequester is a KeyframeRequester that spaces its requests
// (a camera or a WHIP publisher) and can send one at once, outside that
// spacing, for a viewer that is joining. Only Stream calls
// RequestJoinKeyframe, and only within the stream's join budget; the
// request still counts as the last one sent for the spacing of the next
// regular request.
type JoinKeyframeRequester interface {
	KeyframeRequester
	RequestJoinKeyframe()
}

// RequestKeyframeForJoin asks the source for a keyframe for a viewer that
// is joining (its track just went live, or it sent a PLI within its first
// second). Within the stream's join budget (JoinKeyframeBurst,
// JoinKeyframeEvery) the request goes out at once through a
// JoinKeyframeRequester; beyond it, or when the source does not space its
// requests, it is an ordinary RequestKeyframe.
func (s *Stream) RequestKeyframeForJoin() {
	h := s.keyframes.Load()
	if h == nil || h.KeyframeRequester == nil {
		return
	}
	if j, ok := h.KeyframeRequester.(JoinKeyframeRequester); ok && s.joins.take(time.Now()) {
		j.RequestJoinKeyframe()
		return
	}
	h.RequestKeyframe()
}

// joinBudget is a token bucket of join keyframe requests; it starts full.
type joinBudget struct {
	mu     sync.Mutex
	tokens float64
	last   time.Time // when tokens was last brought up to date; zero: full
}

// take spends one request of the budget at now, reporting whether there
// was one.
func (b *joinBudget) take(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.last.IsZero() {
		b.tokens = JoinKeyframeBurst
	} else if d := now.Sub(b.last); d > 0 {
		b.tokens = min(JoinKeyframeBurst, b.tokens+float64(d)/float64(JoinKeyframeEvery))
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
