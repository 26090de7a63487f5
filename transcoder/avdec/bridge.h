// C side of transcoder/avdec: libavcodec decoders for H.264, H.265, VP8 and AAC,
// libswscale to bring odd pixel formats to I420, libswresample to bring
// audio to 48 kHz interleaved 16-bit. Each object is used by one goroutine.
#ifndef MEDIAGATE_AVDEC_H
#define MEDIAGATE_AVDEC_H

#include <stdint.h>

typedef struct mg_vdec mg_vdec;
typedef struct mg_adec mg_adec;

// mg_picture points into a decoder's frame: valid until its next decode.
typedef struct {
	uint8_t *data[3];
	int linesize[3];
	int width, height;
	int64_t pts;
} mg_picture;

void mg_av_quiet(void);

// The decoders mg_vdec_open opens.
enum { MG_VDEC_H264 = 0, MG_VDEC_VP8 = 1, MG_VDEC_HEVC = 2 };

mg_vdec *mg_vdec_open(int codec, int max_pixels, int *err);
int mg_vdec_decode(mg_vdec *d, const uint8_t *data, int size, int64_t pts, mg_picture *out);
void mg_vdec_close(mg_vdec *d);

mg_adec *mg_adec_open(const uint8_t *asc, int asc_len, int rate, int channels, int *err);
int mg_adec_channels(mg_adec *d);
int mg_adec_decode(mg_adec *d, const uint8_t *data, int size, int16_t **out);
void mg_adec_close(mg_adec *d);

#endif
