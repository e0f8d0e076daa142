#!/usr/bin/env bash
# Does a hidden asset answer slower than a missing one? (a timing side channel: the 404 must
# not tell them apart). Serves a library of the sample photos, all drafts, and asks as the
# public for a draft and for an id that does not exist, alternately, N times each on one
# keep-alive connection; prints the median and the difference.
# Usage: benches/hidden_timing.sh [BINARY] [N]   (default target/release/brandvault, 2000)
set -euo pipefail
bin=$(realpath "${1:-target/release/brandvault}")
n=${2:-2000}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
"$bin" --data data --brand "$repo/brand" ingest "$repo/ingest" >/dev/null
draft=$("$bin" --data data --brand "$repo/brand" --json ls --kind photo | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
missing=$(printf '%064d' 0)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p empty-drop
BRANDVAULT_LOG=warn "$bin" --data data --brand "$repo/brand" serve --bind "127.0.0.1:$port" --drop empty-drop 2>serve.log &
pid=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.2; done
for _ in $(seq "$n"); do
  printf 'url = "http://127.0.0.1:%s/api/assets/%s"\noutput = "/dev/null"\n' "$port" "$draft" "$port" "$missing"
done > urls
curl -s -K urls -w '%{http_code} %{time_total}\n' > times
python3 - <<'PY'
import statistics
rows=[l.split() for l in open("times")]
assert all(r[0]=="404" for r in rows), "both must be 404"
hidden=[float(r[1])*1e6 for r in rows[0::2]][100:]
missing=[float(r[1])*1e6 for r in rows[1::2]][100:]
mh, mm = statistics.median(hidden), statistics.median(missing)
print(f"hidden draft: median {mh:.1f} µs; missing id: median {mm:.1f} µs; difference {mh-mm:+.1f} µs ({len(hidden)} each)")
PY
