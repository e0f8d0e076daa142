#!/usr/bin/env bash
# A 4 GiB video end to end, with bounded memory (goal: brandvault's peak RSS < 64 MiB):
#   ingest from disk (hash + store)      /usr/bin/time -f %M
#   upload over HTTP (multipart stream)  the server's VmHWM, curl --data-binary from disk
#   Range reads past the 4 GiB mark      bytes compared with the file
#   poster frame + web preview           ffmpeg reads the stored original in place
# The file is made by benches/big_video.sh (a real clip padded to exactly 4 GiB).
# Needs: ffmpeg, curl, GNU time; ~13 GiB free. Usage: benches/video_large.sh [WORK_DIR]
# Into S3-compatible storage (issue 17's goal: peak RSS < 96 MiB): run it under
# tests/with-s3.sh, which starts moto's S3 server (it keeps the objects in its own memory:
# ~9 GiB of RAM here; its speed is moto's, not a real S3's). ffmpeg then reads a local copy.
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-/tmp/brandvault-video-bench}
rm -rf "$W/data-cli" "$W/data-http" && mkdir -p "$W"
cargo build --release --quiet --bins
BV=$PWD/target/release/brandvault
PORT=18191
# The library's objects: in its data folder, or under tests/with-s3.sh in the bucket.
cli=(--data "$W/data-cli") http=(--data "$W/data-http")
if [ -n "${BRANDVAULT_TEST_STORE:-}" ]; then
  cli+=(--store "$BRANDVAULT_TEST_STORE/video-cli-$$")
  http+=(--store "$BRANDVAULT_TEST_STORE/video-http-$$")
  echo "objects in $BRANDVAULT_TEST_STORE"
fi

benches/big_video.sh "$W/big.mp4"
SIZE=$(stat -c %s "$W/big.mp4")
echo "file: $SIZE bytes"

echo "== ingest from disk =="
t0=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$W/rss-ingest.txt" "$BV" "${cli[@]}" ingest --no-render "$W/big.mp4" > /dev/null
t1=$(date +%s.%N)
python3 -c "print('ingest: %.1f s (%.0f MiB/s), peak RSS %d MiB' % ($t1-$t0, $SIZE/2**20/($t1-$t0), $(cat "$W/rss-ingest.txt")/1024))"
if [ -n "${BRANDVAULT_TEST_STORE:-}" ]; then
  # ffmpeg would read a local copy fetched through 8 MiB ranged GETs, which moto answers
  # ever more slowly as the object grows (~3 MB/s here): a measure of moto, not of brandvault.
  echo "poster and web preview: skipped against moto"
else
t0=$(date +%s.%N)
"$BV" "${cli[@]}" render > "$W/render.json" || true
t1=$(date +%s.%N)
python3 -c "print('poster (thumb, preview, web) + 720p web preview of the 20 s clip in the 4 GiB file: %.1f s' % ($t1-$t0))"
"$BV" "${cli[@]}" --json ls | python3 -c "import json,sys; a=json.load(sys.stdin)[0]; print('renditions:', ', '.join('%s %dx%d' % (r['preset'], r['width'], r['height']) for r in a['renditions']), '| failures:', a['rendition_failures'])"
fi

echo "== upload over HTTP =="
TOKEN=$("$BV" "${http[@]}" --json token create --role designer --name bench | python3 -c "import json,sys; print(json.load(sys.stdin)['token'])")
"$BV" "${http[@]}" serve --bind 127.0.0.1:$PORT --drop "$W/none" 2> "$W/serve.log" &
SERVE=$!
trap 'kill $SERVE 2>/dev/null' EXIT
until curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null; do sleep 0.2; done
BASE=$(grep VmRSS /proc/$SERVE/status | awk '{print $2}')
# The peak from here on is the upload's (start-up work, the brand kit and logos, not counted).
echo 5 > "/proc/$SERVE/clear_refs"
t0=$(date +%s.%N)
curl -sf -H "Authorization: Bearer $TOKEN" -F "file=@$W/big.mp4;filename=Phim Bình Phước.mp4" \
  "http://127.0.0.1:$PORT/api/assets" > "$W/upload.json"
t1=$(date +%s.%N)
HWM=$(grep VmHWM /proc/$SERVE/status | awk '{print $2}')
ID=$(python3 -c "import json; print(json.load(open('$W/upload.json'))['id'])")
python3 -c "print('upload: %.1f s (%.0f MiB/s); server RSS before %d MiB, peak during the upload %d MiB' % ($t1-$t0, $SIZE/2**20/($t1-$t0), $BASE/1024, $HWM/1024))"

echo "== Range past the 4 GiB mark =="
FROM=$((SIZE - 1000)); TO=$((SIZE - 1))
curl -sf -H "Authorization: Bearer $TOKEN" -r "$FROM-$TO" \
  "http://127.0.0.1:$PORT/api/assets/$ID/download" -o "$W/tail.bin"
tail -c 1000 "$W/big.mp4" | cmp - "$W/tail.bin" && echo "bytes $FROM-$TO: identical to the file"
curl -sf -H "Authorization: Bearer $TOKEN" -r "0-1023" -D - -o /dev/null \
  "http://127.0.0.1:$PORT/api/assets/$ID/download" | grep -i "^content-range"
