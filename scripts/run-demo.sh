#!/usr/bin/env bash
# Runs mediagate on a config. The shipped config's first stream, demo, is a
# test pattern the gateway draws and encodes itself, so there is video to
# watch without a camera or a sender.
# Usage: scripts/run-demo.sh BIN CONFIG
set -euo pipefail
bin=${1:-bin/mediagate}
config=${2:-configs/mediagate.toml}

"$bin" check-config -c "$config"

echo
echo "  mediagate: open http://localhost:8080/view/demo (streams at http://localhost:8080/)"
echo
exec "$bin" run -c "$config"
