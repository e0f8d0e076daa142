#!/usr/bin/env bash
# Foundation benchmarks against the tools a user would pick instead, ratios from one run.
#   hashing a 2 GiB file        brandvault hash      vs b3sum               (goal ≥ 0.9×)
#   ingest of 1,000 JPEGs       first run vs unchanged re-run                (goal ≥ 20×)
#   EXIF of the same files      brandvault exif      vs exiftool -j          (goal ≥ 10×)
#   peak RSS ingesting 2 GiB    /usr/bin/time -f %M                          (goal < 64 MiB)
# Needs: b3sum (cargo install b3sum), exiftool (libimage-exiftool-perl), hyperfine, GNU time.
# Usage: benches/compare.sh [WORK_DIR]   (default /tmp/brandvault-bench; needs ~5 GiB free)
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-/tmp/brandvault-bench}
mkdir -p "$W"
cargo build --release --quiet --bins
BV=$PWD/target/release/brandvault
MK=$PWD/target/release/make-samples

ratio() { python3 -c "import json,sys; r=json.load(open('$1'))['results']; print(' / '.join('%s: %.3f s' % (x['command'], x['mean']) for x in r)); print('RATIO %s: %.2fx' % ('$2', r[1]['mean']/r[0]['mean']))"; }

echo "== hashing a 2 GiB file (page cache warm) =="
[ -f "$W/big.bin" ] || head -c 2G /dev/urandom > "$W/big.bin"
cat "$W/big.bin" > /dev/null
hyperfine -N --warmup 1 --runs 5 --export-json "$W/hash.json" \
  "$BV hash $W/big.bin" "b3sum $W/big.bin" > /dev/null
ratio "$W/hash.json" "brandvault throughput vs b3sum"

echo "== ingest of 1,000 JPEGs (640x480, EXIF+GPS) =="
[ -d "$W/corpus" ] || "$MK" --corpus 1000 640 480 "$W/corpus" brand > /dev/null
rm -rf "$W/data"
t0=$(date +%s.%N); "$BV" --data "$W/data" ingest --no-render "$W/corpus" > /dev/null; t1=$(date +%s.%N)
"$BV" --data "$W/data" ingest --no-render "$W/corpus" > /dev/null; t2=$(date +%s.%N)
python3 -c "f=$t1-$t0; r=$t2-$t1; print('first: %.2f s (%.0f files/s); unchanged re-run: %.3f s (%.0f files/s)' % (f, 1000/f, r, 1000/r)); print('RATIO re-ingest speed-up: %.1fx' % (f/r))"

echo "== EXIF of the same 1,000 files =="
hyperfine -N --warmup 1 --runs 3 --export-json "$W/exif.json" \
  "$BV --json exif $(echo "$W"/corpus/*.jpg)" "exiftool -j -q -n $(echo "$W"/corpus/*.jpg)" > /dev/null
python3 -c "import json; r=json.load(open('$W/exif.json'))['results']; print('brandvault exif: %.3f s; exiftool -j: %.3f s' % (r[0]['mean'], r[1]['mean'])); print('RATIO brandvault vs exiftool: %.1fx faster' % (r[1]['mean']/r[0]['mean']))"

echo "== peak RSS while ingesting a 2 GiB file =="
# A 2 GiB MP4: ftyp, a 64-bit mdat of random bytes, and a minimal moov (10 s) at the end.
[ -f "$W/big.mp4" ] || python3 - "$W/big.mp4" <<'PY'
import os, struct, sys
size = 2 << 30
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack(">I4s4sI4s4s", 24, b"ftyp", b"isom", 0, b"isom", b"iso2"))
    f.write(struct.pack(">I4sQ", 1, b"mdat", size + 16))
    chunk = os.urandom(1 << 20)
    for _ in range(size >> 20):
        f.write(chunk)
    mvhd = struct.pack(">I4sIIII", 108, b"mvhd", 0, 0, 0, 1000) + struct.pack(">I", 10000) + bytes(80)
    f.write(struct.pack(">I4s", 8 + len(mvhd), b"moov") + mvhd)
PY
rm -rf "$W/data-big"
/usr/bin/time -f "%M" -o "$W/rss.txt" "$BV" --data "$W/data-big" ingest --no-render "$W/big.mp4" > /dev/null
echo "RSS peak: $(( $(cat "$W/rss.txt") / 1024 )) MiB"
