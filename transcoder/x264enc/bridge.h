// C side of transcoder/x264enc: a libx264 H.264 encoder for real time.
#ifndef MEDIAGATE_X264ENC_H
#define MEDIAGATE_X264ENC_H

#include <stdint.h>

typedef struct mg_x264 mg_x264;

mg_x264 *mg_x264_open(int width, int height, int fps, int kbps, int kf_max);
int mg_x264_encode(mg_x264 *e, uint8_t *y, uint8_t *u, uint8_t *v, int sy, int su, int sv,
	int64_t pts, int force_key, uint8_t *out, int cap, int *is_key);
int mg_x264_set_bitrate(mg_x264 *e, int kbps);
void mg_x264_close(mg_x264 *e);

#endif
