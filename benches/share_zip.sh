#!/usr/bin/env bash
# A share link's ZIP of 500 press renditions, streamed by brandvault, vs Info-ZIP `zip`
# writing the same files from disk (stored, `-0`, as JPEGs do not compress; and its default
# deflate), page cache warm for both, one run each. Also the serving process's peak RSS.
# Goal: >= 0.8x zip's throughput, RSS < 64 MiB.
# Needs: ffmpeg, zip, curl, python3. Usage: benches/share_zip.sh [WORK_DIR] [COUNT]
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-/tmp/brandvault-share-bench}
N=${2:-500}
rm -rf "$W" && mkdir -p "$W/in" "$W/none"
cargo build --release --quiet --bins
BV=$PWD/target/release/brandvault
# N distinct 6 MP photos (testsrc2 changes every frame).
ffmpeg -hide_banner -loglevel error -f lavfi -i "testsrc2=size=3000x2000:rate=25" \
  -frames:v "$N" -q:v 3 "$W/in/photo-%04d.jpg"
"$BV" --data "$W/data" ingest "$W/in" > /dev/null
# Every preset made now, so that `serve` has nothing to render at start.
"$BV" --data "$W/data" render > /dev/null
TOKEN=$("$BV" --data "$W/data" --json token create --role admin --name bench | python3 -c "import json,sys; print(json.load(sys.stdin)['token'])")
"$BV" --data "$W/data" serve --bind 127.0.0.1:18191 --drop "$W/none" 2> "$W/serve.log" &
SERVE=$!
trap 'kill $SERVE 2>/dev/null' EXIT
until curl -sf http://127.0.0.1:18191/healthz > /dev/null; do sleep 0.2; done
LINK=$(python3 - "$TOKEN" <<'PY'
import json, sys, http.client
token = sys.argv[1]
c = http.client.HTTPConnection("127.0.0.1", 18191)
def call(method, path, body=None):
    c.request(method, path, body=None if body is None else json.dumps(body),
              headers={"authorization": "Bearer " + token, "content-type": "application/json"})
    r = c.getresponse(); data = r.read()
    assert r.status < 300, (path, r.status, data)
    return json.loads(data) if data else None
ids, cursor = [], None
while True:
    page = call("GET", "/api/assets?limit=500" + (f"&cursor={cursor}" if cursor else ""))
    ids += [a["id"] for a in page["items"]]
    cursor = page["next_cursor"]
    if not cursor: break
coll = call("POST", "/api/collections", {"name": "benchmark"})
for i in ids:
    call("PATCH", f"/api/assets/{i}", {"access": "public", "credit": "Bench", "license": "CC BY 4.0"})
    call("POST", f"/api/assets/{i}/submit", {})
    call("POST", f"/api/assets/{i}/approve", {"override": "benchmark fixture"})
    call("POST", f"/api/collections/{coll['id']}/items", {"asset": i})
print(call("POST", f"/api/collections/{coll['id']}/shares", {})["url"])
PY
)
# A fresh process for the measure: what the set-up requests left in its heap is not counted.
kill $SERVE; wait $SERVE 2>/dev/null || true
# Approval made presets due that only approved assets get: made now, so that the measured
# process does nothing but serve (its background catch-up would otherwise be measured).
"$BV" --data "$W/data" render > /dev/null
"$BV" --data "$W/data" serve --bind 127.0.0.1:18191 --drop "$W/none" 2> "$W/serve.log" &
SERVE=$!
until curl -sf http://127.0.0.1:18191/healthz > /dev/null; do sleep 0.2; done
hwm() { awk '/VmHWM/ {print $2}' "/proc/$SERVE/status"; }
echo "serving, fresh: peak RSS $(( $(hwm) / 1024 )) MiB"
# Warm-up (page cache), then the measured run.
curl -sf -o "$W/share.zip" "$LINK/download.zip?preset=press"
# The peak from here on: the ZIP's own (resident baseline included).
echo 5 > "/proc/$SERVE/clear_refs"
echo "serving, just before the measured ZIP: RSS $(( $(awk '/VmRSS/ {print $2}' "/proc/$SERVE/status") / 1024 )) MiB"
T=$(curl -sf -o "$W/share.zip" -w '%{time_total}' "$LINK/download.zip?preset=press")
BYTES=$(stat -c %s "$W/share.zip")
echo "brandvault share ZIP: $BYTES bytes in ${T}s; peak RSS of serve $(( $(hwm) / 1024 )) MiB"
rm -rf "$W/files" && mkdir "$W/files" && (cd "$W/files" && unzip -q ../share.zip)
(cd "$W/files" && zip -q -0 -r ../warm.zip . && rm ../warm.zip)
S0=$(date +%s.%N); (cd "$W/files" && zip -q -0 -r ../peer-stored.zip .); S1=$(date +%s.%N)
D0=$(date +%s.%N); (cd "$W/files" && zip -q -r ../peer-deflate.zip .); D1=$(date +%s.%N)
python3 - "$BYTES" "$T" "$S0" "$S1" "$D0" "$D1" "$(stat -c %s "$W/peer-stored.zip")" "$(stat -c %s "$W/peer-deflate.zip")" <<'PY'
import sys
b, t, s0, s1, d0, d1, bs, bd = map(float, sys.argv[1:])
ours = b / t / 2**20
stored = bs / (s1 - s0) / 2**20
deflate = bd / (d1 - d0) / 2**20
print(f"zip -0 (stored): {stored:.0f} MiB/s; zip (deflate): {deflate:.0f} MiB/s; brandvault: {ours:.0f} MiB/s")
print(f"RATIO brandvault vs zip -0: {ours / stored:.2f}x; vs zip default: {ours / deflate:.2f}x (goal >= 0.8x)")
PY
