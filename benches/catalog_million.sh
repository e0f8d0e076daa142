#!/usr/bin/env bash
# The catalogue at 1,000,000 assets on each backend, wrk on loopback, one run: p99 with 8
# connections of GET /api/assets (a page of 50) by id order, one spot, one tag (goal < 20 ms) and
# a text query (goal < 50 ms); then 20 uploads one at a time, each followed by a listing. The assets are synthetic copies of a small real library
# (`make-samples --catalog`: ingesting and rendering a million files takes hours here), each with
# its own id, name, caption, capture time and tag, committed through the catalogue's own code:
# embedded (journal file + sled) and, when a PostgreSQL server is given, shared (journal table
# and the catalogue's tables in PostgreSQL, one freshness query per request).
# Needs: wrk. Usage: benches/catalog_million.sh [WORK_DIR]
#        tests/with-pg.sh benches/catalog_million.sh [WORK_DIR]   (both backends)
# N=100000 for a quicker run; SHARED_ONLY=1 measures only the PostgreSQL backend.
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-/tmp/brandvault-1m}
N=${N:-1000000}
PORT=18194
mkdir -p "$W"
cargo build --release --quiet --bins
# BV=path/to/another/brandvault measures another build (an earlier commit) on the same library.
BV=${BV:-$PWD/target/release/brandvault}
SAMPLES=$PWD/target/release/make-samples
if [ ! -d "$W/template" ]; then
  "$SAMPLES" --corpus 60 320 240 "$W/corpus" brand > /dev/null
  "$BV" --data "$W/template" ingest --tag tourism "$W/corpus" > /dev/null
fi

# One backend: make the catalogue (once), serve it, measure.
measure() {
  local label=$1 catalog=$2 data=$3
  if [ ! -e "$data/.made" ]; then
    local t0 t1
    t0=$(date +%s.%N)
    "$SAMPLES" --catalog "$N" "$W/template" "$catalog" "$data"
    t1=$(date +%s.%N)
    python3 -c "print('$label: %d assets committed in %.0f s' % ($N, $t1-$t0))"
    touch "$data/.made"
  fi
  local token
  token=$("$BV" --data "$data" --catalog "$catalog" --json token create --role admin --name "bench-$RANDOM" |
    python3 -c "import json,sys; print(json.load(sys.stdin)['token'])")
  local t0 t1
  t0=$(date +%s.%N)
  "$BV" --data "$data" --catalog "$catalog" --store "file://$W/template" serve \
    --bind 127.0.0.1:$PORT --drop "$W/none" 2> "$W/serve.log" &
  local serve=$!
  until curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null; do sleep 0.2; done
  t1=$(date +%s.%N)
  python3 -c "print('$label: serve ready in %.1f s' % ($t1-$t0))"
  # Measured once the start's look at the renditions is over (all of them the first time, only
  # what changed since on later starts), as a library in service would be.
  until grep -q 'renditions: pass complete' "$W/serve.log"; do sleep 1; done
  t1=$(date +%s.%N)
  python3 -c "print('$label: $(grep -o 'checking [^(]*' "$W/serve.log" | tail -1)done %.1f s after start' % ($t1-$t0))"
  echo "$label: resident $(ps -o rss= -p $serve | awk '{printf "%.0f MiB", $1/1024}') after start"
  run() {
    local what=$1 url=$2 out
    out=$(wrk -t2 -c8 -d10s --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT$url")
    printf '%-12s %-34s p50 %-8s p99 %-8s %8s req/s\n' "$label" "$what" \
      "$(echo "$out" | awk '$1=="50%" {print $2}')" \
      "$(echo "$out" | awk '$1=="99%" {print $2}')" \
      "$(echo "$out" | awk '/Requests\/sec/ {print $2}')"
  }
  run "id order, first page" "/api/assets?limit=50"
  run "one spot (index)" "/api/assets?spot=trang-co-bu-lach&limit=50"
  run "one tag (index)" "/api/assets?tag=culture&limit=50"
  run "text: thac ho (word index)" "/api/assets?q=thac%20ho&limit=50"
  run "text: no match" "/api/assets?q=khong%20co&limit=50"
  uploads "$label" "$token"
  echo "$label: resident $(ps -o rss= -p $serve | awk '{printf "%.0f MiB", $1/1024}') after the runs"
  kill $serve
  wait $serve 2> /dev/null || true
}

# uploads LABEL TOKEN: 20 new photos (640×480, EXIF and GPS) one at a time, each followed at once
# by a listing, which waits for any commit under way (the renditions commit after the upload).
uploads() {
  local label=$1 token=$2 dir
  dir=$(mktemp -d "$W/uploads.XXXXXX")
  "$SAMPLES" --corpus 20 640 480 "$dir" brand > /dev/null
  # Bytes after the JPEG's end make each run's photos new to the library.
  for f in "$dir"/*.jpg; do printf '%s' "$dir" >> "$f"; done
  for f in "$dir"/*.jpg; do
    curl -s -o /dev/null -w '%{http_code} %{time_total} ' -H "Authorization: Bearer $token" \
      -F "file=@$f;type=image/jpeg" "http://127.0.0.1:$PORT/api/assets"
    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" \
      "http://127.0.0.1:$PORT/api/assets?limit=50"
  done > "$dir.times"
  python3 - "$label" "$dir.times" << 'EOF'
import statistics, sys
rows = [line.split() for line in open(sys.argv[2])]
created = sum(r[0] == "201" for r in rows)
up = [float(r[1]) * 1000 for r in rows]
after = [float(r[2]) * 1000 for r in rows]
print("%-12s %d of %d uploads created: upload median %.0f ms, max %.0f ms (upload %d); listing "
      "right after median %.1f ms, max %.0f ms" % (sys.argv[1], created, len(rows),
      statistics.median(up), max(up), up.index(max(up)) + 1, statistics.median(after), max(after)))
EOF
  rm -rf "$dir" "$dir.times"
}

[ -n "${SHARED_ONLY:-}" ] || measure embedded "file://$W/embedded" "$W/embedded"
if [ -n "${BRANDVAULT_TEST_CATALOG:-}" ]; then
  # A new database (tests/with-pg.sh's cluster lives for one run) gets a new node folder too.
  if psql "$BRANDVAULT_TEST_CATALOG/postgres" -qc "CREATE DATABASE million" 2> /dev/null; then
    rm -rf "$W/shared-node"
  fi
  measure postgresql "$BRANDVAULT_TEST_CATALOG/million" "$W/shared-node"
fi
