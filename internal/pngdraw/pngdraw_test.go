package pngdraw

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

var red = color.RGBA{0xd0, 0x30, 0x30, 0xff}

// TestLine: a line stamps its pen at both ends and on the way, and
// nothing outside it.
func TestLine(t *testing.T) {
	img := Canvas(40, 40)
	Line(img, image.Pt(5, 5), image.Pt(30, 20), image.Rect(0, 0, 2, 2), red)
	for _, p := range []image.Point{{5, 5}, {6, 6}, {30, 20}, {31, 21}, {17, 12}} {
		if img.RGBAAt(p.X, p.Y) != red {
			t.Errorf("%v not drawn", p)
		}
	}
	for _, p := range []image.Point{{4, 4}, {32, 22}, {5, 20}, {30, 5}} {
		if img.RGBAAt(p.X, p.Y) != (color.RGBA{0xff, 0xff, 0xff, 0xff}) {
			t.Errorf("%v drawn", p)
		}
	}
}

// TestFillClips: a rectangle reaching past the image paints what is inside.
func TestFillClips(t *testing.T) {
	img := Canvas(10, 10)
	Fill(img, image.Rect(-5, -5, 3, 3), red)
	if img.RGBAAt(0, 0) != red || img.RGBAAt(2, 2) != red || img.RGBAAt(3, 3) == red {
		t.Error("fill not clipped to the image")
	}
}

// TestTextAndWrite: text puts ink above its baseline, and the file decodes
// to the same picture.
func TestTextAndWrite(t *testing.T) {
	img := Canvas(60, 20)
	Text(img, "mg", 2, 15, red)
	inked := 0
	for y := range 20 {
		for x := range 60 {
			if img.RGBAAt(x, y) == red {
				inked++
				if y > 15+Face.Descent {
					t.Errorf("ink at (%d, %d), below the descent", x, y)
				}
			}
		}
	}
	if inked == 0 {
		t.Fatal("no text drawn")
	}
	path := filepath.Join(t.TempDir(), "p.png")
	if err := Write(path, img); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if got.Bounds() != img.Bounds() || color.RGBAModel.Convert(got.At(0, 0)) != (color.RGBA{0xff, 0xff, 0xff, 0xff}) {
		t.Error("the file is not the picture")
	}
}
