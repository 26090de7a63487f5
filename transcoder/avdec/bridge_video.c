//go:build cgo

#include <stdlib.h>
#include <libavcodec/avcodec.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
#include "bridge.h"

struct mg_vdec {
	AVCodecContext *ctx;
	AVPacket *pkt;
	AVFrame *frame;
	AVFrame *conv; // I420 copy of frames in another pixel format
	struct SwsContext *sws;
};

void mg_av_quiet(void) { av_log_set_level(AV_LOG_QUIET); }

void mg_vdec_close(mg_vdec *d) {
	if (!d) return;
	avcodec_free_context(&d->ctx);
	av_packet_free(&d->pkt);
	av_frame_free(&d->frame);
	av_frame_free(&d->conv);
	sws_freeContext(d->sws);
	free(d);
}

// mg_vdec_open opens a single-threaded decoder of codec (MG_VDEC_*) that
// refuses pictures larger than max_pixels before allocating them.
mg_vdec *mg_vdec_open(int codec, int max_pixels, int *err) {
	enum AVCodecID id = AV_CODEC_ID_H264;
	if (codec == MG_VDEC_VP8) id = AV_CODEC_ID_VP8;
	if (codec == MG_VDEC_HEVC) id = AV_CODEC_ID_HEVC;
	const AVCodec *c = avcodec_find_decoder(id);
	if (!c) {
		*err = AVERROR_DECODER_NOT_FOUND;
		return NULL;
	}
	mg_vdec *d = calloc(1, sizeof *d);
	if (!d) {
		*err = AVERROR(ENOMEM);
		return NULL;
	}
	d->ctx = avcodec_alloc_context3(c);
	d->pkt = av_packet_alloc();
	d->frame = av_frame_alloc();
	d->conv = av_frame_alloc();
	if (!d->ctx || !d->pkt || !d->frame || !d->conv) {
		mg_vdec_close(d);
		*err = AVERROR(ENOMEM);
		return NULL;
	}
	d->ctx->thread_count = 1;
	d->ctx->max_pixels = max_pixels;
	// No AV_CODEC_FLAG_LOW_DELAY: it would output H.264 pictures in decoding
	// order even when the stream has B-frames. Without it the decoder holds
	// pictures back only as far as the stream reorders them (none for
	// baseline, or when the SPS says num_reorder_frames is 0; for H.265,
	// sps_max_num_reorder_pics).
	*err = avcodec_open2(d->ctx, c, NULL);
	if (*err < 0) {
		mg_vdec_close(d);
		return NULL;
	}
	return d;
}

// to_i420 converts the decoded frame into d->conv.
static int to_i420(mg_vdec *d) {
	AVFrame *f = d->frame;
	d->sws = sws_getCachedContext(d->sws, f->width, f->height, f->format,
		f->width, f->height, AV_PIX_FMT_YUV420P, SWS_BILINEAR, NULL, NULL, NULL);
	if (!d->sws) return AVERROR(EINVAL);
	if (d->conv->width != f->width || d->conv->height != f->height) {
		av_frame_unref(d->conv);
		d->conv->format = AV_PIX_FMT_YUV420P;
		d->conv->width = f->width;
		d->conv->height = f->height;
		int ret = av_frame_get_buffer(d->conv, 0);
		if (ret < 0) return ret;
	}
	sws_scale(d->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height,
		d->conv->data, d->conv->linesize);
	return 0;
}

// mg_vdec_decode decodes one access unit and returns 1 with a picture, 0
// when the decoder holds it back, or a negative AVERROR. A picture the
// decoder marks as damaged is an error.
int mg_vdec_decode(mg_vdec *d, const uint8_t *data, int size, int64_t pts, mg_picture *out) {
	av_frame_unref(d->frame);
	d->pkt->data = (uint8_t *)data; // not refcounted: libavcodec copies it, padded
	d->pkt->size = size;
	d->pkt->pts = pts;
	int ret = avcodec_send_packet(d->ctx, d->pkt);
	d->pkt->data = NULL;
	d->pkt->size = 0;
	if (ret < 0 && ret != AVERROR(EAGAIN)) return ret;
	ret = avcodec_receive_frame(d->ctx, d->frame);
	if (ret == AVERROR(EAGAIN)) return 0;
	if (ret < 0) return ret;
	AVFrame *f = d->frame;
	if (f->decode_error_flags || (f->flags & AV_FRAME_FLAG_CORRUPT)) return AVERROR_INVALIDDATA;
	if (f->format != AV_PIX_FMT_YUV420P && f->format != AV_PIX_FMT_YUVJ420P) {
		ret = to_i420(d);
		if (ret < 0) return ret;
		f = d->conv;
	}
	for (int i = 0; i < 3; i++) {
		out->data[i] = f->data[i];
		out->linesize[i] = f->linesize[i];
	}
	out->width = d->frame->width;
	out->height = d->frame->height;
	out->pts = d->frame->pts;
	return 1;
}
