package transcoder

import (
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
)

// The parsers' own tables are in internal/codec; these cases check what the
// transcoder adds: its MaxDimension limit and its error classes, which pick
// the video stage's drop reason (DropTooLarge or DropDamaged).
var spsSizeCases = []struct{ name, sps, want string }{
	{"x264 high 1920x1080", "67640028acd940780227e5c044000003000400000300083c60c658", "1920x1080"},
	{"coded 4112 wide, cropped to 4096", "6742c01eda00404048713e", "too large"},
	{"8192x4320", "6742c01eda002000087680", "too large"},
	{"pic_order_cnt_type 3", "6742c01ec880a03da0", "malformed"},
	{"truncated", "6742c016d900", "malformed"},
	{"pps", "68cb83cb20", "malformed"},
}

// spsOutcome names what h264SPSSize made of an SPS: the picture size, or
// the class of its error.
func spsOutcome(w, h int, err error) string {
	tooLarge, malformed := errors.Is(err, ErrTooLarge), errors.Is(err, ErrMalformed)
	switch {
	case tooLarge && !malformed:
		return "too large"
	case malformed && !tooLarge:
		return "malformed"
	case err != nil:
		return err.Error()
	}
	return fmt.Sprintf("%dx%d", w, h)
}

func TestH264SPSSize(t *testing.T) {
	for _, c := range spsSizeCases {
		b, err := hex.DecodeString(c.sps)
		if err != nil {
			t.Fatal(err)
		}
		if got := spsOutcome(h264SPSSize(b)); got != c.want {
			t.Errorf("%s: h264SPSSize gives %q, want %q", c.name, got, c.want)
		}
	}
}
