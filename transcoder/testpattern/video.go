package testpattern

import (
	"time"

	"mediagate.dev/mediagate/transcoder"
)

// Video draws the pictures of the test pattern. It is used by one
// goroutine.
type Video struct {
	w, h  int
	bg    *transcoder.Picture // colour bars, drawn once
	pic   *transcoder.Picture
	noise uint64 // xorshift state
}

// bars are the colour bars' YUV values (BT.601): white, yellow, cyan,
// green, magenta, red, blue, black.
var bars = [][3]byte{
	{235, 128, 128}, {210, 16, 146}, {170, 166, 16}, {145, 54, 34},
	{106, 202, 222}, {81, 90, 240}, {41, 240, 110}, {16, 128, 128},
}

// NewVideo returns a pattern of w×h (even sides, at least 64×64).
func NewVideo(w, h int) *Video {
	w, h = max(64, w&^1), max(64, h&^1)
	v := &Video{w: w, h: h, bg: transcoder.NewPicture(w, h), pic: transcoder.NewPicture(w, h), noise: 0x9e3779b97f4a7c15}
	for i, c := range bars {
		x0, x1 := i*w/len(bars), (i+1)*w/len(bars)
		fillRect(v.bg, x0, 0, x1-x0, h, c)
	}
	return v
}

// Size returns the picture's width and height.
func (v *Video) Size() (int, int) { return v.w, v.h }

// Frame draws the picture shown at elapsed time t since the pattern
// started, with the clock showing wall. The picture is reused by the next
// call; its PTS is t in the 90 kHz clock.
func (v *Video) Frame(t time.Duration, wall time.Time) *transcoder.Picture {
	for i := range v.pic.Planes {
		copy(v.pic.Planes[i], v.bg.Planes[i])
	}
	v.drawNoise()
	v.drawBox(t)
	v.drawClock(wall)
	v.pic.PTS = uint32(int64(t) * transcoder.VideoClockRate / int64(time.Second))
	return v.pic
}

// drawNoise fills a band across the lower third with new noise.
func (v *Video) drawNoise() {
	y0, y1 := v.h*2/3, v.h*2/3+v.h/8
	p := v.pic
	for y := y0; y < y1; y++ {
		row := p.Planes[0][y*p.Strides[0] : y*p.Strides[0]+v.w]
		for x := 0; x+8 <= len(row); x += 8 {
			r := v.next()
			for k := range 8 {
				row[x+k] = 104 + byte(r>>(8*k))%48
			}
		}
	}
	for y := y0 / 2; y < y1/2; y++ {
		for c := 1; c < 3; c++ {
			row := p.Planes[c][y*p.Strides[c] : y*p.Strides[c]+v.w/2]
			for x := range row {
				row[x] = 120 + byte(v.next()%16)
			}
		}
	}
}

func (v *Video) next() uint64 {
	v.noise ^= v.noise << 13
	v.noise ^= v.noise >> 7
	v.noise ^= v.noise << 17
	return v.noise
}

// drawBox draws a checkered box that crosses the frame every four seconds
// and bounces up and down.
func (v *Video) drawBox(t time.Duration) {
	size := v.h / 5
	ms := t.Milliseconds()
	x := int(ms%4000) * (v.w - size) / 4000
	phase := int(ms % 2000)
	if phase > 1000 {
		phase = 2000 - phase
	}
	y := v.h/6 + phase*(v.h/3)/1000
	cell := max(4, size/8)
	for cy := 0; cy < size; cy += cell {
		for cx := 0; cx < size; cx += cell {
			c := [3]byte{235, 128, 128}
			if (cx/cell+cy/cell)%2 == 1 {
				c = [3]byte{40, 200, 90}
			}
			fillRect(v.pic, x+cx, y+cy, min(cell, size-cx), min(cell, size-cy), c)
		}
	}
}

// fillRect paints a rectangle clipped to the picture (chroma at half
// resolution).
func fillRect(p *transcoder.Picture, x, y, w, h int, c [3]byte) {
	x0, y0 := max(0, x), max(0, y)
	x1, y1 := min(p.Width, x+w), min(p.Height, y+h)
	for row := y0; row < y1; row++ {
		line := p.Planes[0][row*p.Strides[0]+x0 : row*p.Strides[0]+x1]
		for i := range line {
			line[i] = c[0]
		}
	}
	for row := y0 / 2; row < (y1+1)/2; row++ {
		for k := 1; k < 3; k++ {
			line := p.Planes[k][row*p.Strides[k]+x0/2 : row*p.Strides[k]+(x1+1)/2]
			for i := range line {
				line[i] = c[k]
			}
		}
	}
}
