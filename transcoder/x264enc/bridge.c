//go:build cgo

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <x264.h>
#include "bridge.h"

struct mg_x264 {
	x264_t *h;
	x264_picture_t in, out;
};

void mg_x264_close(mg_x264 *e) {
	if (!e) return;
	if (e->h) x264_encoder_close(e->h);
	free(e);
}

// set_rate sets average-bitrate rate control capped by a one-second VBV
// buffer, so the output follows the target within about a second.
static void set_rate(x264_param_t *p, int kbps) {
	p->rc.i_rc_method = X264_RC_ABR;
	p->rc.i_bitrate = kbps;
	p->rc.i_vbv_max_bitrate = kbps;
	p->rc.i_vbv_buffer_size = kbps;
}

// mg_x264_open opens a constrained-baseline encoder: preset veryfast, tune
// zerolatency (no lookahead, no B-frames), one thread, SPS and PPS before
// every IDR, Annex B, 90 kHz timestamps.
mg_x264 *mg_x264_open(int width, int height, int fps, int kbps, int kf_max) {
	x264_param_t p;
	if (x264_param_default_preset(&p, "veryfast", "zerolatency") < 0) return NULL;
	p.i_threads = 1;
	p.b_sliced_threads = 0;
	p.i_lookahead_threads = 1;
	p.i_width = width;
	p.i_height = height;
	p.i_csp = X264_CSP_I420;
	p.i_fps_num = fps;
	p.i_fps_den = 1;
	p.i_timebase_num = 1;
	p.i_timebase_den = 90000;
	p.b_vfr_input = 0;
	p.i_keyint_max = kf_max;
	p.b_repeat_headers = 1;
	p.b_annexb = 1;
	p.b_aud = 0;
	p.i_log_level = X264_LOG_NONE;
	set_rate(&p, kbps);
	if (x264_param_apply_profile(&p, "baseline") < 0) return NULL;
	mg_x264 *e = calloc(1, sizeof *e);
	if (!e) return NULL;
	e->h = x264_encoder_open(&p);
	if (!e->h) {
		free(e);
		return NULL;
	}
	x264_picture_init(&e->in);
	e->in.img.i_csp = X264_CSP_I420;
	e->in.img.i_plane = 3;
	return e;
}

// mg_x264_encode encodes one picture and copies its NAL units (contiguous,
// Annex B) to out. It returns their size, 0 when there are none, or -1.
int mg_x264_encode(mg_x264 *e, uint8_t *y, uint8_t *u, uint8_t *v, int sy, int su, int sv,
		int64_t pts, int force_key, uint8_t *out, int cap, int *is_key) {
	e->in.img.plane[0] = y;
	e->in.img.plane[1] = u;
	e->in.img.plane[2] = v;
	e->in.img.i_stride[0] = sy;
	e->in.img.i_stride[1] = su;
	e->in.img.i_stride[2] = sv;
	e->in.i_pts = pts;
	e->in.i_type = force_key ? X264_TYPE_IDR : X264_TYPE_AUTO;
	x264_nal_t *nal;
	int n;
	int size = x264_encoder_encode(e->h, &nal, &n, &e->in, &e->out);
	e->in.img.plane[0] = e->in.img.plane[1] = e->in.img.plane[2] = NULL;
	if (size < 0 || size > cap) return -1;
	*is_key = size > 0 && e->out.b_keyframe;
	if (size > 0) memcpy(out, nal[0].p_payload, size);
	return size;
}

// mg_x264_set_bitrate changes the target of a running encoder with
// x264_encoder_reconfig.
int mg_x264_set_bitrate(mg_x264 *e, int kbps) {
	x264_param_t p;
	x264_encoder_parameters(e->h, &p);
	set_rate(&p, kbps);
	return x264_encoder_reconfig(e->h, &p);
}
