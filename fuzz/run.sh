#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 60) and prints one line per target: executions,
# corpus size, exit code, crashes. Needs a nightly toolchain and cargo-fuzz
# (`cargo install cargo-fuzz`).
#
# The repository keeps a small seed set per target in fuzz/seeds/TARGET (minimised, at most
# SEEDS files each); the working corpus fuzz/corpus/TARGET (not in git) starts from the seeds
# and grows with what libFuzzer finds. `--seeds` afterwards minimises the corpus (libFuzzer's
# merge: the files that add coverage) and writes the smallest of them back as the new seeds.
# A crash is saved under fuzz/artifacts/TARGET/ and must become a regression test.
# Usage: fuzz/run.sh [--seeds] [SECONDS] [TARGET...]
set -uo pipefail
cd "$(dirname "$0")/.."
seeds=0
if [ "${1:-}" = "--seeds" ]; then seeds=1; shift; fi
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(sniff exif bmff matroska svg_rules query probe multipart meta)
keep=100
cargo +nightly fuzz build -s none >/dev/null || exit 1
bin=fuzz/target/x86_64-unknown-linux-gnu/release
status=0
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  cp -n fuzz/seeds/"$t"/* "fuzz/corpus/$t/" 2>/dev/null
  log=$(mktemp)
  "$bin/$t" "fuzz/corpus/$t" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=1024 \
    -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t/" >"$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  printf '%-10s %10s executions in %ss, corpus %5s files, exit %s, artifacts %s\n' \
    "$t" "${execs:-?}" "$secs" "$(ls "fuzz/corpus/$t" | wc -l)" "$rc" "$(ls "fuzz/artifacts/$t" | wc -l)"
  if [ "$rc" -ne 0 ]; then status=1; tail -30 "$log"; fi
  if [ "$seeds" = 1 ]; then
    merged=$(mktemp -d)
    "$bin/$t" -merge=1 "$merged" "fuzz/corpus/$t" >/dev/null 2>&1
    rm -rf "fuzz/seeds/$t" && mkdir -p "fuzz/seeds/$t"
    ls -S -r "$merged" | head -n "$keep" | while read -r f; do cp "$merged/$f" "fuzz/seeds/$t/"; done
    printf '%-10s seeds: %s of %s minimised files\n' "$t" "$(ls "fuzz/seeds/$t" | wc -l)" "$(ls "$merged" | wc -l)"
    rm -rf "$merged"
  fi
  rm -f "$log"
done
exit $status
