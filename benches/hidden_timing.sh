#!/usr/bin/env bash
# Does a hidden asset answer slower than a missing one? (a timing side channel: the answer
# must not tell them apart). Serves a library of the sample photos, all drafts, and asks for a
# draft and for an id that does not exist, alternately, N times each on one keep-alive
# connection, on three routes: the public's read (`GET /api/assets/{id}`), a designer's bulk
# edit (`POST /bulk`, someone else's draft) and a batch review (`POST /review/batch`, by one who
# may not review). Prints, per route, the status, the medians and their difference.
# Usage: benches/hidden_timing.sh [BINARY] [N]   (default target/release/brandvault, 2000)
set -euo pipefail
bin=$(realpath "${1:-target/release/brandvault}")
n=${2:-2000}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
bv() { "$bin" --data data --brand "$repo/brand" "$@"; }
bv ingest "$repo/ingest" >/dev/null
draft=$(bv --json ls --kind photo | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
token=$(bv --json token create --role designer --name dan | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
missing=$(printf '%064d' 0)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p empty-drop
BRANDVAULT_LOG=warn "$bin" --data data --brand "$repo/brand" serve --bind "127.0.0.1:$port" \
  --drop empty-drop 2>serve.log &
pid=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.2; done

# measure LABEL PATH [FORM]: alternately the draft and the missing id (ID in PATH and FORM).
measure() {
  local label=$1 path=$2 form=${3:-}
  for _ in $(seq "$n"); do
    for id in "$draft" "$missing"; do
      printf 'url = "http://127.0.0.1:%s%s"\noutput = "/dev/null"\nsilent\n' "$port" "${path//ID/$id}"
      printf 'write-out = "%%{http_code} %%{time_total}\\n"\n'
      if [ -n "$form" ]; then
        printf 'header = "Authorization: Bearer %s"\ndata = "%s"\n' "$token" "${form//ID/$id}"
      fi
      echo next
    done
  done | sed '$d' > urls
  # (`next` ends each request's options, so each states its own; the connection is reused.)
  curl -K urls > times
  LABEL=$label python3 - <<'PY'
import os, statistics
rows = [l.split() for l in open("times")]
hidden, missing = rows[0::2], rows[1::2]
codes = {r[0] for r in hidden} | {r[0] for r in missing}
assert {r[0] for r in hidden} == {r[0] for r in missing}, f"statuses differ: {sorted(set(map(tuple, rows)))[:5]} {len(rows)}"
h = [float(r[1]) * 1e6 for r in hidden][100:]
m = [float(r[1]) * 1e6 for r in missing][100:]
mh, mm = statistics.median(h), statistics.median(m)
print(f"{os.environ['LABEL']:<22} {'/'.join(sorted(codes))}: hidden draft {mh:.1f} µs, "
      f"missing id {mm:.1f} µs, difference {mh - mm:+.1f} µs ({len(h)} each)")
PY
}
measure "GET /api/assets/{id}" "/api/assets/ID"
measure "POST /bulk" "/bulk" "id=ID&credit=X&back=%2Fmine"
measure "POST /review/batch" "/review/batch" "id=ID&action=approve"
