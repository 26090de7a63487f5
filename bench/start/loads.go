package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// loadTimeout bounds one page load beyond the GOP: a waiting viewer's
// first frame comes at the camera's next keyframe.
const loadTimeout = 10 * time.Second

// measureCodec runs a codec's camera, feeding its "bridge" and "wait"
// streams, and loads their pages at the same points of the GOP: at each
// phase, the "wait" stream's page first (its first frame comes with the
// next keyframe), then the "bridge" stream's at the same phase of the
// next GOP. One load of the bridge stream before them warms chromium up
// and is not counted.
func measureCodec(ctx context.Context, gw *runningGateway, b *browser, c, dir string, o options, log *slog.Logger) ([]startRow, error) {
	bridge, wait := streamName(c, modeBridge), streamName(c, modeWait)
	vp8Clip := ""
	if c == codecVP8 {
		cl, err := makeClip(dir, codecVP8, o)
		if err != nil {
			return nil, err
		}
		vp8Clip = cl.path
	}
	cam, err := startCamera(cameraArgv(c, []int{gw.ingest[bridge], gw.ingest[wait]}, o, vp8Clip))
	if err != nil {
		return nil, err
	}
	defer cam.stop()
	if err := waitUp(ctx, gw, []string{bridge, wait}, bridge); err != nil {
		return nil, fmt.Errorf("%w (%s said: %s)", err, cam.name, cam.out.String())
	}
	timeout := o.gop + loadTimeout
	if _, err := b.load(gw.base+"/view/"+bridge, timeout); err != nil {
		return nil, fmt.Errorf("warm-up: %w", err)
	}
	rows := []startRow{{codec: c, mode: modeBridge}, {codec: c, mode: modeWait}}
	track := gw.Hub().Get(bridge).Video // both streams' keyframes come together
	for _, ph := range phases(o.loads, o.gop) {
		for _, i := range []int{1, 0} { // wait, then bridge
			at, err := waitPhase(ctx, track, ph, o.gop)
			if err != nil {
				return nil, err
			}
			ff, err := b.load(gw.base+"/view/"+streamName(c, rows[i].mode), timeout)
			if err != nil {
				return nil, err
			}
			log.Info("page load", "stream", streamName(c, rows[i].mode), "gop_age", at.Round(time.Millisecond),
				"first_frame", ff.Round(time.Millisecond))
			rows[i].loads = append(rows[i].loads, pageLoad{phase: at, firstFrame: ff})
		}
	}
	return rows, nil
}
