#!/usr/bin/env bash
# Upload of 1,000 photos (640×480 JPEGs with EXIF and GPS) over HTTP, 8 at a time, to one
# `serve` node, then to two nodes of one library (shared PostgreSQL catalogue, one store),
# the uploads alternating between them as a round-robin load balancer would: wall time, one run.
# Both nodes run on this machine, so they share its cores: on a machine of 2 cores this shows
# what the shared catalogue costs and whether the nodes serialise each other, not what a second
# machine adds. PIN=1 gives each node one core of its own (taskset: node 1 on core 0, node 2 on
# core 1, the single node on core 0), as two one-core machines would; PostgreSQL and the
# uploading client run on either core.
# Needs: wrk's machine tools (curl), a PostgreSQL server: tests/with-pg.sh benches/two_nodes.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -n "${BRANDVAULT_TEST_CATALOG:-}" ] || {
  echo "run under tests/with-pg.sh" >&2
  exit 2
}
W=${1:-/tmp/brandvault-nodes}
N=${N:-1000}
mkdir -p "$W"
cargo build --release --quiet --bins
BV=$PWD/target/release/brandvault
[ -d "$W/corpus" ] || target/release/make-samples --corpus "$N" 640 480 "$W/corpus" brand > /dev/null

# upload LABEL NODES: a fresh library served by NODES nodes; prints the wall time.
upload() {
  local label=$1 nodes=$2 db="bench_$1_$RANDOM"
  psql "$BRANDVAULT_TEST_CATALOG/postgres" -qc "CREATE DATABASE $db"
  local catalog="$BRANDVAULT_TEST_CATALOG/$db" store="file://$W/$db-store"
  local token
  token=$("$BV" --data "$W/$db-cli" --store "$store" --catalog "$catalog" --json token create --role designer --name bench |
    python3 -c "import json,sys; print(json.load(sys.stdin)['token'])")
  local pids=() ports=()
  for i in $(seq "$nodes"); do
    local port=$((18300 + i)) pin=()
    [ -z "${PIN:-}" ] || pin=(taskset -c $((i - 1)))
    "${pin[@]}" "$BV" --data "$W/$db-node$i" --store "$store" --catalog "$catalog" serve \
      --bind 127.0.0.1:$port --drop "$W/none" 2> "$W/$db-node$i.log" &
    pids+=($!)
    ports+=($port)
  done
  for port in "${ports[@]}"; do
    until curl -sf "http://127.0.0.1:$port/healthz" > /dev/null; do sleep 0.2; done
  done
  local t0 t1
  t0=$(date +%s.%N)
  ls "$W"/corpus/*.jpg | awk -v ports="${ports[*]}" '{n = split(ports, p, " "); print p[NR % n + 1], $0}' |
    T=$token xargs -P 8 -n 2 sh -c 'curl -s -o /dev/null -w "%{http_code}\n" -H "Authorization: Bearer $T" -F "file=@$1;type=image/jpeg" "http://127.0.0.1:$0/api/assets"' \
      > "$W/$db-codes"
  t1=$(date +%s.%N)
  local created
  created=$(grep -c '^201$' "$W/$db-codes" || true)
  python3 -c "print('$label: $created of $N created in %.1f s (%.0f photos/s)' % ($t1-$t0, $N/($t1-$t0)))"
  kill "${pids[@]}"
  wait "${pids[@]}" 2> /dev/null || true
  echo "$t1 - $t0" | bc -l > "$W/$label.seconds"
}

upload one 1
upload two 2
python3 -c "
one = float(open('$W/one.seconds').read()); two = float(open('$W/two.seconds').read())
print('two nodes vs one: %.2fx' % (one / two))"
