package stream

import (
	"testing"
	"testing/synctest"
	"time"
)

// joinCounter counts the two kinds of request a spacing source receives.
type joinCounter struct{ regular, join int }

func (c *joinCounter) RequestKeyframe()     { c.regular++ }
func (c *joinCounter) RequestJoinKeyframe() { c.join++ }

// TestJoinKeyframeBudget: a burst of joins goes out at once up to
// JoinKeyframeBurst, the rest become regular (spaced) requests, and the
// budget refills at one per JoinKeyframeEvery up to the burst.
func TestJoinKeyframeBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := New("cam", nil, nil, nil)
		st.RequestKeyframeForJoin() // no requester: nothing happens
		c := &joinCounter{}
		st.SetKeyframeRequester(c)
		for range 20 {
			st.RequestKeyframeForJoin()
		}
		if c.join != JoinKeyframeBurst || c.regular != 20-JoinKeyframeBurst {
			t.Fatalf("20 joins at once: %d at once, %d regular; want %d at once", c.join, c.regular, JoinKeyframeBurst)
		}
		time.Sleep(JoinKeyframeEvery - time.Millisecond)
		st.RequestKeyframeForJoin()
		if c.join != JoinKeyframeBurst {
			t.Fatalf("a join before the budget refilled went out at once")
		}
		time.Sleep(time.Millisecond)
		st.RequestKeyframeForJoin()
		if c.join != JoinKeyframeBurst+1 {
			t.Fatalf("no join at once after %v", JoinKeyframeEvery)
		}
		time.Sleep(time.Hour) // refills to the burst, not beyond
		*c = joinCounter{}
		for range 10 {
			st.RequestKeyframeForJoin()
		}
		if c.join != JoinKeyframeBurst {
			t.Fatalf("after an idle hour: %d joins at once, want %d", c.join, JoinKeyframeBurst)
		}
		// A flood of joins over 10 s is held to the burst plus the refill.
		*c = joinCounter{}
		time.Sleep(time.Hour)
		for range 1000 {
			st.RequestKeyframeForJoin()
			time.Sleep(10 * time.Millisecond)
		}
		if want := JoinKeyframeBurst + int(10*time.Second/JoinKeyframeEvery); c.join > want {
			t.Errorf("1000 joins in 10 s: %d at once, want at most %d", c.join, want)
		}
	})
}

// TestJoinKeyframePlainRequester: a source that does not space its
// requests (an encoder) gets a join as an ordinary request and spends no
// budget.
func TestJoinKeyframePlainRequester(t *testing.T) {
	st := New("cam", nil, nil, nil)
	n := 0
	st.SetKeyframeRequester(KeyframeRequesterFunc(func() { n++ }))
	for range 10 {
		st.RequestKeyframeForJoin()
	}
	if n != 10 {
		t.Fatalf("requests = %d, want 10", n)
	}
	c := &joinCounter{}
	st.SetKeyframeRequester(c)
	st.RequestKeyframeForJoin()
	if c.join != 1 {
		t.Fatalf("the plain requester spent the join budget")
	}
}
