package codec

import "fmt"

// frame is the coded picture size of an SPS and its cropping rectangle.
type frame struct {
	wMBs         uint32    // PicWidthInMbs
	hMapUnits    uint32    // PicHeightInMapUnits
	frameMBsOnly uint32    // frame_mbs_only_flag
	chroma       uint32    // ChromaArrayType
	crop         [4]uint32 // frame_crop_left, right, top, bottom offsets
}

// size checks the coded size against maxSide and returns the size after
// cropping: FrameHeightInMbs, then CropUnitX and CropUnitY of the chroma
// format (§7.4.2.1.1, equations 7-19 to 7-22; Table 6-1).
func (f *frame) size(maxSide int) (width, height int, err error) {
	if maxSide < 16 || maxSide > MaxSide {
		maxSide = MaxSide
	}
	if limit := uint32(maxSide / 16); f.wMBs > limit || f.hMapUnits > limit {
		return 0, 0, fmt.Errorf("%w: %dx%d macroblocks, at most %d a side", ErrTooLarge, f.wMBs, f.hMapUnits, limit)
	}
	frameHeightFactor := 2 - int(f.frameMBsOnly)
	cropX, cropY := 1, frameHeightFactor
	switch f.chroma {
	case 1:
		cropX, cropY = 2, 2*frameHeightFactor
	case 2:
		cropX = 2
	}
	width = int(f.wMBs) * 16
	height = int(f.hMapUnits) * 16 * frameHeightFactor
	for i, c := range f.crop {
		if c > MaxSide {
			return 0, 0, fmt.Errorf("%w: crop offset %d", ErrMalformed, c)
		}
		if i < 2 {
			width -= int(c) * cropX
		} else {
			height -= int(c) * cropY
		}
	}
	if width <= 0 || height <= 0 {
		return 0, 0, fmt.Errorf("%w: cropped to %dx%d", ErrMalformed, width, height)
	}
	return width, height, nil
}
