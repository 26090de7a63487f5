package stream

import "testing"

// TestOnSubscribers: the hook sees every change of the subscriptions to
// the stream's tracks, and Subscribers counts them across tracks.
func TestOnSubscribers(t *testing.T) {
	st := New("cam", NewTrack(Video, Codec{}), NewTrack(Audio, Codec{}), nil)
	var seen []int
	st.OnSubscribers(func() { seen = append(seen, st.Subscribers()) })
	v := st.Video.Subscribe(4)
	a := st.Audio.Subscribe(4)
	v.Close()
	a.Close()
	st.OnSubscribers(nil)
	st.Video.Subscribe(4).Close()
	want := []int{1, 2, 1, 0}
	if len(seen) != len(want) {
		t.Fatalf("hook saw %v, want %v", seen, want)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("hook saw %v, want %v", seen, want)
		}
	}
}
