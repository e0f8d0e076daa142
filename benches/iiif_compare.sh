#!/usr/bin/env bash
# IIIF tiles: every 512 px region at full resolution of a 24 MP JPEG (96 tiles), two
# concurrent clients, from brandvault and from the `iiif` package's iiif_testserver.py with
# its Pillow manipulator (pinned below), each freshly started: "cold" is the first pass over
# all tiles, "cached" the second. Tiles per second, ratio from one run (goal >= 2x, both).
# Needs: ffmpeg, python3, pip. Usage: benches/iiif_compare.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-/tmp/brandvault-iiif-bench}
rm -rf "$W" && mkdir -p "$W/img" "$W/none"
command -v iiif_testserver.py > /dev/null ||
  python3 -m pip install --quiet 'iiif==1.0.10' || python3 -m pip install --quiet --break-system-packages 'iiif==1.0.10'
cargo build --release --quiet --bins
BV=$PWD/target/release/brandvault
ffmpeg -hide_banner -loglevel error -f lavfi -i "testsrc2=size=6000x4000:rate=1" -frames:v 1 -q:v 2 "$W/img/big.jpg"
ID=$("$BV" --data "$W/data" --json ingest "$W/img/big.jpg" | python3 -c "import json,sys; print(json.load(sys.stdin)['added'][0])")
"$BV" --data "$W/data" edit "$ID" --access public > /dev/null
"$BV" --data "$W/data" submit "$ID" > /dev/null
"$BV" --data "$W/data" approve "$ID" --override "benchmark fixture" > /dev/null
"$BV" --data "$W/data" serve --bind 127.0.0.1:18196 --drop "$W/none" 2> "$W/serve.log" &
OURS=$!
iiif_testserver.py --image-dir "$W/img" --manipulators pil --api-versions 3.0 --port 18197 > "$W/peer.log" 2>&1 &
PEER=$!
trap 'kill $OURS $PEER 2>/dev/null' EXIT
until curl -sf "http://127.0.0.1:18196/iiif/3/$ID/info.json" > /dev/null; do sleep 0.2; done
until curl -sf "http://localhost:18197/3.0_pil/big/info.json" > /dev/null; do sleep 0.2; done
python3 - "$ID" <<'PY'
import sys, time, http.client, threading
ident = sys.argv[1]
W, H, T = 6000, 4000, 512
tiles = [(x, y, min(T, W - x), min(T, H - y)) for y in range(0, H, T) for x in range(0, W, T)]
def run(host, port, base):
    done, lock, queue = [], threading.Lock(), list(tiles)
    def worker():
        c = http.client.HTTPConnection(host, port)
        while True:
            with lock:
                if not queue: return
                x, y, w, h = queue.pop()
            c.request("GET", f"{base}/{x},{y},{w},{h}/{w},/0/default.jpg")
            r = c.getresponse(); body = r.read()
            assert r.status == 200 and body[:2] == b"\xff\xd8", (r.status, base)
    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads: t.start()
    for t in threads: t.join()
    return len(tiles) / (time.perf_counter() - t0)
results = {}
for name, host, port, base in [("brandvault", "127.0.0.1", 18196, f"/iiif/3/{ident}"),
                               ("iiif_testserver (Pillow)", "localhost", 18197, "/3.0_pil/big")]:
    cold = run(host, port, base)
    cached = run(host, port, base)
    results[name] = (cold, cached)
    print(f"{name}: {len(tiles)} tiles, cold {cold:.1f} tiles/s, cached {cached:.1f} tiles/s")
(oc, ok), (pc, pk) = results["brandvault"], results["iiif_testserver (Pillow)"]
print(f"RATIO brandvault vs iiif_testserver: cold {oc / pc:.1f}x, cached {ok / pk:.1f}x (goal >= 2x)")
PY
echo "serve peak RSS: $(( $(awk '/VmHWM/ {print $2}' "/proc/$OURS/status") / 1024 )) MiB"
