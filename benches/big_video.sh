#!/usr/bin/env bash
# Makes the 4 GiB movie the video benchmarks use, unless it exists: a real H.264/AAC clip
# (ffmpeg, faststart) padded to exactly 4 GiB (the default video limit) by a trailing `free`
# box, so every tool still reads it as a movie. Usage: benches/big_video.sh OUT.mp4
set -euo pipefail
OUT=$1
mkdir -p "$(dirname "$OUT")"
if [ ! -f "$OUT" ]; then
  ffmpeg -hide_banner -loglevel error -nostdin -f lavfi -i testsrc2=s=1280x720:r=25:d=20 \
    -f lavfi -i sine=d=20 -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac \
    -movflags +faststart -y "$OUT.clip.mp4"
  python3 - "$OUT.clip.mp4" "$OUT" <<'PY'
import os, struct, sys
clip = open(sys.argv[1], "rb").read()
total = 4 << 30
pad = total - len(clip)
with open(sys.argv[2], "wb") as f:
    f.write(clip)
    f.write(struct.pack(">I4sQ", 1, b"free", pad))
    chunk = os.urandom(1 << 20)
    left = pad - 16
    while left:
        n = min(left, len(chunk))
        f.write(chunk[:n])
        left -= n
PY
fi
