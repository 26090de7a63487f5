#!/usr/bin/env bash
# Runs mediagate on a config together with a GStreamer test pattern that
# pushes constrained-baseline H.264 over RTP to the default stream, cam1, on
# 127.0.0.1:5004, so there is video to watch without a camera.
# Usage: scripts/run-demo.sh BIN CONFIG
set -euo pipefail
bin=${1:-bin/mediagate}
config=${2:-configs/mediagate.toml}

"$bin" check-config -c "$config"

gst-launch-1.0 -q videotestsrc is-live=true pattern=ball \
  ! video/x-raw,width=1280,height=720,framerate=30/1 \
  ! clockoverlay font-desc="Sans 36" \
  ! videoconvert ! x264enc tune=zerolatency speed-preset=veryfast bitrate=2000 key-int-max=60 \
  ! video/x-h264,profile=constrained-baseline \
  ! rtph264pay pt=96 config-interval=-1 \
  ! udpsink host=127.0.0.1 port=5004 &
sender=$!
trap 'kill $sender 2>/dev/null || true' EXIT INT TERM

echo
echo "  mediagate: open http://localhost:8080/view/cam1 (streams at http://localhost:8080/)"
echo
"$bin" run -c "$config"
