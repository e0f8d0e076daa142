#!/usr/bin/env bash
# The catalogue at 100,000 assets, wrk on loopback, one run: the JSON query (goal: p99 < 20 ms)
# and the catalogue page, newest first with its count (goal: p99 < 50 ms with 8 connections).
# 100,000 distinct small JPEGs with EXIF and GPS near the check-in spots are ingested, then
# `serve` answers GET /api/assets with a page of 50 for:
#   the first page as an admin (a scan that stops at 50), one spot (index), one tag (index),
#   a text query (the in-memory word index, decoding only hits), one matching nothing (the
#   whole vocabulary), and the public, who sees only approved assets (the status index: here none).
# Needs: wrk. Usage: benches/catalog_p99.sh [WORK_DIR]   (~1 GiB free)
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-/tmp/brandvault-p99}
N=100000
PORT=18193
mkdir -p "$W"
cargo build --release --quiet --bins
BV=$PWD/target/release/brandvault
[ -d "$W/corpus" ] || target/release/make-samples --corpus $N 48 32 "$W/corpus" brand > /dev/null
if [ ! -d "$W/data" ]; then
  t0=$(date +%s.%N)
  "$BV" --data "$W/data" ingest --no-render --tag tourism "$W/corpus" > /dev/null
  t1=$(date +%s.%N)
  python3 -c "print('ingest of $N files: %.0f s' % ($t1-$t0))"
fi
# Renditions first, as a working library has them (serve would otherwise make them all in the
# background during the measurement).
t0=$(date +%s.%N)
"$BV" --data "$W/data" render > /dev/null
t1=$(date +%s.%N)
python3 -c "print('render (or check) of every asset: %.0f s' % ($t1-$t0))"
"$BV" --data "$W/data" token revoke bench > /dev/null 2>&1 || true
TOKEN=$("$BV" --data "$W/data" --json token create --role admin --name bench | python3 -c "import json,sys; print(json.load(sys.stdin)['token'])")
"$BV" --data "$W/data" serve --bind 127.0.0.1:$PORT --drop "$W/none" 2> "$W/serve.log" &
SERVE=$!
trap 'kill $SERVE 2>/dev/null' EXIT
until curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null; do sleep 0.2; done
echo "assets: $(curl -s "http://127.0.0.1:$PORT/healthz")"
# Latency of the query alone (one connection) and under load (eight connections on two cores,
# where queueing adds to it).
run() {
  local label=$1 url=$2 auth=$3
  local hdr=()
  [ "$auth" = admin ] && hdr=(-H "Authorization: Bearer $TOKEN")
  local line=""
  for conns in 1 8; do
    local out
    out=$(wrk -t1 -c$conns -d5s --latency "${hdr[@]}" "http://127.0.0.1:$PORT$url")
    line+=$(printf ' | c%-2s p50 %-8s p99 %-8s %8s req/s' "$conns" \
      "$(echo "$out" | awk '$1=="50%" {print $2}')" \
      "$(echo "$out" | awk '$1=="99%" {print $2}')" \
      "$(echo "$out" | awk '/Requests\/sec/ {print $2}')")
  done
  printf '%-40s%s\n' "$label" "$line"
}
run "admin, first page (id order)" "/api/assets?limit=50" admin
run "admin, spot (index)" "/api/assets?spot=trang-co-bu-lach&limit=50" admin
run "admin, tag=tourism (index)" "/api/assets?tag=tourism&limit=50" admin
run "admin, q=bu lach (word index, accent-blind)" "/api/assets?q=bu%20lach&limit=50" admin
run "admin, q=khong co (no match)" "/api/assets?q=khong%20co&limit=50" admin
run "public, none approved (status index)" "/api/assets?limit=50" public
run "page /: admin, newest first, counted" "/" admin
run "page /?page=1000: admin, deep page" "/?page=1000" admin
run "page /?q=bu+lach: admin, text" "/?q=bu+lach" admin
run "page /?spot=…: admin, one spot" "/?spot=trang-co-bu-lach" admin
run "page /: public (none approved)" "/" public
