//go:build cgo

#include <stdlib.h>
#include <string.h>
#include <vpx/vpx_encoder.h>
#include <vpx/vp8cx.h>
#include "bridge.h"

struct mg_vpx {
	vpx_codec_ctx_t ctx;
	vpx_codec_enc_cfg_t cfg;
	vpx_image_t img;
	int open;
};

void mg_vpx_close(mg_vpx *e) {
	if (!e) return;
	if (e->open) vpx_codec_destroy(&e->ctx);
	free(e);
}

const char *mg_vpx_error(mg_vpx *e) { return vpx_codec_error(&e->ctx); }

// configure fills the one-pass CBR settings of a real-time encoder, as
// WebRTC's VP8 encoder uses them: no lookahead, error resilient, 90 kHz
// timestamps, a one-second rate-control buffer.
static void configure(vpx_codec_enc_cfg_t *c, int width, int height, int kbps, int kf_max) {
	c->g_w = width;
	c->g_h = height;
	c->g_timebase.num = 1;
	c->g_timebase.den = 90000;
	c->g_threads = 1;
	c->g_lag_in_frames = 0;
	c->g_pass = VPX_RC_ONE_PASS;
	c->g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT;
	c->rc_end_usage = VPX_CBR;
	c->rc_target_bitrate = kbps;
	c->rc_min_quantizer = 2;
	c->rc_max_quantizer = 63;
	c->rc_undershoot_pct = 100;
	c->rc_overshoot_pct = 15;
	c->rc_buf_initial_sz = 500;
	c->rc_buf_optimal_sz = 600;
	c->rc_buf_sz = 1000;
	c->rc_dropframe_thresh = 30;
	c->rc_resize_allowed = 0;
	c->kf_mode = VPX_KF_AUTO;
	c->kf_min_dist = 0;
	c->kf_max_dist = kf_max;
}

mg_vpx *mg_vpx_open(int width, int height, int fps, int kbps, int kf_max, int cpu_used, int *err) {
	mg_vpx *e = calloc(1, sizeof *e);
	if (!e) {
		*err = VPX_CODEC_MEM_ERROR;
		return NULL;
	}
	vpx_codec_iface_t *iface = vpx_codec_vp8_cx();
	*err = vpx_codec_enc_config_default(iface, &e->cfg, 0);
	if (*err != VPX_CODEC_OK) {
		free(e);
		return NULL;
	}
	configure(&e->cfg, width, height, kbps, kf_max);
	*err = vpx_codec_enc_init(&e->ctx, iface, &e->cfg, 0);
	if (*err != VPX_CODEC_OK) {
		free(e);
		return NULL;
	}
	e->open = 1;
	vpx_codec_control(&e->ctx, VP8E_SET_CPUUSED, cpu_used);
	vpx_codec_control(&e->ctx, VP8E_SET_NOISE_SENSITIVITY, 0);
	vpx_codec_control(&e->ctx, VP8E_SET_STATIC_THRESHOLD, 1);
	vpx_codec_control(&e->ctx, VP8E_SET_TOKEN_PARTITIONS, VP8_ONE_TOKENPARTITION);
	vpx_codec_control(&e->ctx, VP8E_SET_MAX_INTRA_BITRATE_PCT, 300);
	vpx_img_wrap(&e->img, VPX_IMG_FMT_I420, width, height, 1, (unsigned char *)1);
	(void)fps;
	return e;
}

// mg_vpx_encode encodes one picture and copies the compressed frame to out.
// It returns the frame's size (0 when rate control dropped it) or -1.
int mg_vpx_encode(mg_vpx *e, uint8_t *y, uint8_t *u, uint8_t *v, int sy, int su, int sv,
		int64_t pts, int64_t duration, int force_key, uint8_t *out, int cap, int *is_key) {
	e->img.planes[VPX_PLANE_Y] = y;
	e->img.planes[VPX_PLANE_U] = u;
	e->img.planes[VPX_PLANE_V] = v;
	e->img.stride[VPX_PLANE_Y] = sy;
	e->img.stride[VPX_PLANE_U] = su;
	e->img.stride[VPX_PLANE_V] = sv;
	vpx_enc_frame_flags_t flags = force_key ? VPX_EFLAG_FORCE_KF : 0;
	vpx_codec_err_t err = vpx_codec_encode(&e->ctx, &e->img, pts, duration, flags, VPX_DL_REALTIME);
	e->img.planes[VPX_PLANE_Y] = e->img.planes[VPX_PLANE_U] = e->img.planes[VPX_PLANE_V] = NULL;
	if (err != VPX_CODEC_OK) return -1;
	int size = 0;
	*is_key = 0;
	vpx_codec_iter_t iter = NULL;
	const vpx_codec_cx_pkt_t *pkt;
	while ((pkt = vpx_codec_get_cx_data(&e->ctx, &iter)) != NULL) {
		if (pkt->kind != VPX_CODEC_CX_FRAME_PKT) continue;
		if (size + (int)pkt->data.frame.sz > cap) return -1;
		memcpy(out + size, pkt->data.frame.buf, pkt->data.frame.sz);
		size += pkt->data.frame.sz;
		if (pkt->data.frame.flags & VPX_FRAME_IS_KEY) *is_key = 1;
	}
	return size;
}

// mg_vpx_set_bitrate changes the target bitrate of a running encoder. On a
// decrease the rate-control buffer is first shrunk to its optimal level:
// libvpx keeps the bits it had saved at the old rate (clamped to the
// buffer's size at the new one) and would spend that surplus over the next
// seconds, overshooting the new target.
int mg_vpx_set_bitrate(mg_vpx *e, int kbps) {
	int down = kbps < (int)e->cfg.rc_target_bitrate;
	e->cfg.rc_target_bitrate = kbps;
	if (down) {
		unsigned int full = e->cfg.rc_buf_sz;
		e->cfg.rc_buf_sz = e->cfg.rc_buf_optimal_sz;
		int err = vpx_codec_enc_config_set(&e->ctx, &e->cfg);
		e->cfg.rc_buf_sz = full;
		if (err != VPX_CODEC_OK) return err;
	}
	return vpx_codec_enc_config_set(&e->ctx, &e->cfg);
}
