// C side of transcoder/vpxenc: a libvpx VP8 encoder set up for real time.
#ifndef MEDIAGATE_VPXENC_H
#define MEDIAGATE_VPXENC_H

#include <stdint.h>

typedef struct mg_vpx mg_vpx;

mg_vpx *mg_vpx_open(int width, int height, int fps, int kbps, int kf_max, int cpu_used, int *err);
int mg_vpx_encode(mg_vpx *e, uint8_t *y, uint8_t *u, uint8_t *v, int sy, int su, int sv,
	int64_t pts, int64_t duration, int force_key, uint8_t *out, int cap, int *is_key);
int mg_vpx_set_bitrate(mg_vpx *e, int kbps);
const char *mg_vpx_error(mg_vpx *e);
void mg_vpx_close(mg_vpx *e);

#endif
