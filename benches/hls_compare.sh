#!/usr/bin/env bash
# A long film's HLS ladder: `brandvault render --preset hls` (ffmpeg's ladder run, then every
# playlist and segment stored under its hash, the playlists rewritten, the master written)
# against ffmpeg run by hand with the same settings into a folder. Reports wall time for
# both, brandvault's own peak RSS (VmHWM of its process, sampled while it runs) and the
# largest RSS of ffmpeg's process, and the ratio of the times.
# The film: benches/big_video.sh's 4 GiB file by default (a 20-s 720p clip padded to 4 GiB, so
# the stored original is 4 GiB while the encode stays short), or FILM=path. The brand's set
# length is lowered to 1 s in the bench library so that the film gets a ladder.
# Needs: ffmpeg, GNU time; ~9 GiB free for the default film.
# Usage: benches/hls_compare.sh [WORK_DIR]   (BV=path/to/brandvault skips the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-/tmp/brandvault-hls-bench}
mkdir -p "$W"
rm -rf "$W/lib" "$W/by-hand"
if [ -z "${BV:-}" ]; then
  cargo build --release --quiet --bins
  BV=$PWD/target/release/brandvault
fi
FILM=${FILM:-$W/big.mp4}
[ -f "$FILM" ] || benches/big_video.sh "$FILM"
echo "film: $(stat -c %s "$FILM") bytes"

mkdir -p "$W/lib" "$W/by-hand"
cp -r brand "$W/lib/brand"
sed -i 's/^min_seconds = 180/min_seconds = 1/' "$W/lib/brand/presets.toml"
cd "$W/lib"
"$BV" --json ingest --no-render "$FILM" > ingest.json

t0=$(date +%s.%N)
"$BV" --json render --preset hls > render.json &
pid=$!
hwm=0
while kill -0 $pid 2>/dev/null; do
  now=$(awk '/VmHWM/ {print $2}' /proc/$pid/status 2>/dev/null || echo 0)
  [ "${now:-0}" -gt "$hwm" ] && hwm=$now
  sleep 0.1
done
wait $pid
t1=$(date +%s.%N)
bv_time=$(python3 -c "print($t1 - $t0)")
"$BV" --json ls | python3 -c "
import json, sys
a = json.load(sys.stdin)[0]
r = [r for r in a['renditions'] if r['preset'] == 'hls']
assert r, a['rendition_failures']
print('ladder: %s, %d files' % (r[0]['url'], len(r[0].get('parts', []))))"

# ffmpeg by hand, the same settings (media::ffmpeg::hls_ladder), into a folder.
rungs=$(python3 - "$FILM" <<'PY'
import json, subprocess, sys
s = json.loads(subprocess.check_output(["ffprobe", "-v", "error", "-select_streams", "v:0",
    "-show_entries", "stream=width,height", "-of", "json", sys.argv[1]]))["streams"][0]
w, h = s["width"], s["height"]
short = min(w, h)
sides = [x for x in (360, 720, 1080) if x <= short] or [short]
even = lambda v: max(int(round(v)) & ~1, 2)
print(" ".join("%dx%d" % (even(w * x / short), even(h * x / short)) for x in sides))
PY
)
n=0 graph="" maps=() streams=""
for r in $rungs; do
  graph+=";[s$n]scale=${r/x/:}[v$n]"
  maps+=(-map "[v$n]" -map 0:a:0)
  streams+=" v:$n,a:$n"
  n=$((n + 1))
done
splits=$(for i in $(seq 0 $((n - 1))); do printf '[s%d]' "$i"; done)
cd "$W/by-hand"
/usr/bin/time -f "%e %M" -o time.txt ffmpeg -hide_banner -nostdin -loglevel error -i "file:$FILM" \
  -filter_complex "[0:v:0]split=$n$splits$graph" "${maps[@]}" \
  -map_metadata -1 -map_chapters -1 -sn -dn \
  -c:v libx264 -preset veryfast -profile:v high -crf 23 -pix_fmt yuv420p \
  -c:a aac -b:a 128k -ac 2 -force_key_frames "expr:gte(t,n_forced*6)" -sc_threshold 0 \
  -f hls -hls_time 6 -hls_playlist_type vod -hls_segment_type fmp4 \
  -hls_flags independent_segments -hls_fmp4_init_filename init.mp4 \
  -master_pl_name master.m3u8 -var_stream_map "${streams# }" \
  -hls_segment_filename "s%v_%d.m4s" -y "p%v.m3u8"
read -r ff_time ff_rss < time.txt
python3 -c "
bv, ff = $bv_time, $ff_time
print('rungs: $rungs')
print('brandvault render --preset hls: %.1f s, its own peak RSS %d MiB' % (bv, $hwm / 1024))
print('ffmpeg by hand:                 %.1f s, peak RSS %d MiB' % (ff, $ff_rss / 1024))
print('RATIO ladder time: %.2fx (brandvault / ffmpeg)' % (bv / ff))"
