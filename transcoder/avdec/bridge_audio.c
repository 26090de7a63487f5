//go:build cgo

#include <stdlib.h>
#include <string.h>
#include <libavcodec/avcodec.h>
#include <libavutil/channel_layout.h>
#include <libswresample/swresample.h>
#include "bridge.h"

#define OUT_RATE 48000

struct mg_adec {
	AVCodecContext *ctx;
	AVPacket *pkt;
	AVFrame *frame;
	SwrContext *swr;
	int out_channels;
	int16_t *buf; // interleaved output of the last decode
	int buf_samples;
};

void mg_adec_close(mg_adec *d) {
	if (!d) return;
	avcodec_free_context(&d->ctx);
	av_packet_free(&d->pkt);
	av_frame_free(&d->frame);
	swr_free(&d->swr);
	av_free(d->buf);
	free(d);
}

// mg_adec_open opens an AAC decoder from an AudioSpecificConfig, or from a
// sample rate and channel count when there is none.
mg_adec *mg_adec_open(const uint8_t *asc, int asc_len, int rate, int channels, int *err) {
	const AVCodec *c = avcodec_find_decoder(AV_CODEC_ID_AAC);
	if (!c) {
		*err = AVERROR_DECODER_NOT_FOUND;
		return NULL;
	}
	mg_adec *d = calloc(1, sizeof *d);
	if (!d) {
		*err = AVERROR(ENOMEM);
		return NULL;
	}
	d->ctx = avcodec_alloc_context3(c);
	d->pkt = av_packet_alloc();
	d->frame = av_frame_alloc();
	if (!d->ctx || !d->pkt || !d->frame) {
		mg_adec_close(d);
		*err = AVERROR(ENOMEM);
		return NULL;
	}
	d->ctx->thread_count = 1;
	if (asc_len > 0) {
		d->ctx->extradata = av_mallocz(asc_len + AV_INPUT_BUFFER_PADDING_SIZE);
		if (!d->ctx->extradata) {
			mg_adec_close(d);
			*err = AVERROR(ENOMEM);
			return NULL;
		}
		memcpy(d->ctx->extradata, asc, asc_len);
		d->ctx->extradata_size = asc_len;
	} else {
		d->ctx->sample_rate = rate;
		av_channel_layout_default(&d->ctx->ch_layout, channels);
	}
	*err = avcodec_open2(d->ctx, c, NULL);
	if (*err < 0) {
		mg_adec_close(d);
		return NULL;
	}
	int n = d->ctx->ch_layout.nb_channels > 0 ? d->ctx->ch_layout.nb_channels : channels;
	d->out_channels = n >= 2 ? 2 : 1;
	return d;
}

int mg_adec_channels(mg_adec *d) { return d->out_channels; }

// resampler sets up libswresample for the decoded frame's format.
static int resampler(mg_adec *d, AVFrame *f) {
	if (d->swr) return 0;
	AVChannelLayout out;
	av_channel_layout_default(&out, d->out_channels);
	int ret = swr_alloc_set_opts2(&d->swr, &out, AV_SAMPLE_FMT_S16, OUT_RATE,
		&f->ch_layout, f->format, f->sample_rate, 0, NULL);
	av_channel_layout_uninit(&out);
	if (ret < 0) return ret;
	return swr_init(d->swr);
}

// convert resamples f, appending to d->buf.
static int convert(mg_adec *d, AVFrame *f) {
	int ret = resampler(d, f);
	if (ret < 0) return ret;
	int room = swr_get_out_samples(d->swr, f->nb_samples);
	if (room < 0) return room;
	int need = (d->buf_samples + room) * d->out_channels;
	int16_t *grown = av_realloc(d->buf, need * sizeof(int16_t));
	if (!grown) return AVERROR(ENOMEM);
	d->buf = grown;
	uint8_t *dst = (uint8_t *)(d->buf + d->buf_samples * d->out_channels);
	int n = swr_convert(d->swr, &dst, room, (const uint8_t **)f->extended_data, f->nb_samples);
	if (n < 0) return n;
	d->buf_samples += n;
	return 0;
}

// mg_adec_decode decodes one access unit and resamples it; it returns the
// samples per channel written to *out (valid until the next call) or a
// negative AVERROR.
int mg_adec_decode(mg_adec *d, const uint8_t *data, int size, int16_t **out) {
	d->buf_samples = 0;
	d->pkt->data = (uint8_t *)data;
	d->pkt->size = size;
	int ret = avcodec_send_packet(d->ctx, d->pkt);
	d->pkt->data = NULL;
	d->pkt->size = 0;
	if (ret < 0) return ret;
	for (;;) {
		ret = avcodec_receive_frame(d->ctx, d->frame);
		if (ret == AVERROR(EAGAIN)) break;
		if (ret < 0) return ret;
		ret = convert(d, d->frame);
		av_frame_unref(d->frame);
		if (ret < 0) return ret;
	}
	*out = d->buf;
	return d->buf_samples;
}
