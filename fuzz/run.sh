#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 60) on its corpus in fuzz/corpus/TARGET (which
# grows with what libFuzzer finds), and prints one line per target: executions, corpus size,
# crashes. Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
# A crash is saved under fuzz/artifacts/TARGET/ and must become a regression test.
# Usage: fuzz/run.sh [SECONDS] [TARGET...]
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(sniff exif bmff matroska svg_rules query probe multipart meta)
cargo +nightly fuzz build -s none >/dev/null
status=0
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  log=$(mktemp)
  cargo +nightly fuzz run -s none "$t" "fuzz/corpus/$t" -- \
    -max_total_time="$secs" -max_len=65536 -rss_limit_mb=1024 -print_final_stats=1 >"$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  crashes=$(ls "fuzz/artifacts/$t" 2>/dev/null | wc -l)
  printf '%-10s %10s executions in %ss, corpus %5s files, exit %s, artifacts %s\n' \
    "$t" "${execs:-?}" "$secs" "$(ls "fuzz/corpus/$t" | wc -l)" "$rc" "$crashes"
  if [ "$rc" -ne 0 ]; then status=1; tail -30 "$log"; fi
  rm -f "$log"
done
exit $status
