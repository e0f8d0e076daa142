#!/usr/bin/env bash
# HEIC renditions: brandvault against heif-convert + vipsthumbnail (libvips), the way a user
# without brandvault would make the same four files per photo: the press JPEG at full size
# (q92), web 2048 px (q85), preview 1024 px (q82) and a 256 px WebP thumbnail (q78), from
# N 12 MP HEIC photos made by heif-enc (x265, q90). Both sides use both cores (brandvault:
# rayon; the peer: two files at a time). One run each; prints photos per second, the ratio,
# brandvault's peak RSS, and the PSNR of both previews against the same reference (the
# lossless decode resized by ffmpeg's Lanczos), so that equal quality is checked, not assumed.
# Needs: libheif-examples, libvips-tools, ffmpeg, bc, a release build (cargo build --release).
# Usage: benches/heic_compare.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20}
bin=$PWD/target/release/brandvault
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/heic" "$work/peer"
for i in $(seq 1 "$n"); do
  ffmpeg -v error -y -f lavfi -i "mandelbrot=s=4032x3024:start_scale=$(echo "3 / $i" | bc -l)" \
    -frames:v 1 "$work/src.png"
  heif-enc -q 90 -o "$work/heic/$(printf '%03d' "$i").heic" "$work/src.png" >/dev/null
done
"$bin" --data "$work/lib" --json ingest --no-render "$work/heic" >/dev/null
sync
start=$(date +%s.%N)
/usr/bin/time -f '%M' -o "$work/rss" "$bin" --data "$work/lib" --json render \
  --preset thumb --preset preview --preset web --preset press >"$work/render.json"
end=$(date +%s.%N)
ours=$(echo "$end - $start" | bc -l)
peer_one() {
  f=$1; out=$2/$(basename "$f" .heic)
  heif-convert -q 92 "$f" "$out-press.jpg" >/dev/null
  vipsthumbnail "$out-press.jpg" -s 2048 -o "$out-web.jpg[Q=85]"
  vipsthumbnail "$out-press.jpg" -s 1024 -o "$out-preview.jpg[Q=82]"
  vipsthumbnail "$out-press.jpg" -s 256 -o "$out-thumb.webp[Q=78]"
}
export -f peer_one
start=$(date +%s.%N)
ls "$work"/heic/*.heic | xargs -P 2 -I{} bash -c 'peer_one "$1" "$2"' _ {} "$work/peer"
end=$(date +%s.%N)
theirs=$(echo "$end - $start" | bc -l)
# Quality of the first photo's preview, both sides, against one reference.
id=$("$bin" --data "$work/lib" --json ls | grep -o '"id": *"[0-9a-f]*"' | head -1 | grep -o '[0-9a-f]\{64\}')
"$bin" --data "$work/lib" export "$id" --preset preview -o "$work/ours-preview.jpg" >/dev/null
first=$("$bin" --data "$work/lib" --json show "$id" | grep -o '"[0-9]*\.heic"' | head -1 | tr -d '"')
heif-convert "$work/heic/$first" "$work/ref-full.png" >/dev/null
size=$(ffprobe -v error -select_streams v -show_entries stream=width,height -of csv=p=0:s=x "$work/ours-preview.jpg")
ffmpeg -v error -i "$work/ref-full.png" -vf "scale=${size/x/:}:flags=lanczos" -y "$work/ref.png"
psnr() { ffmpeg -i "$1" -i "$work/ref.png" -lavfi psnr -f null - 2>&1 | grep -o 'average:[0-9.inf]*' | cut -d: -f2; }
peer_size=$(ffprobe -v error -select_streams v -show_entries stream=width,height -of csv=p=0:s=x "$work/peer/${first%.heic}-preview.jpg")
printf 'failed renditions: %s\n' "$(grep -o '"failed": *\[[^]]*\]' "$work/render.json")"
printf 'heif-convert + vipsthumbnail: %d photos in %.2f s (%.2f photos/s)\n' "$n" "$theirs" "$(echo "$n / $theirs" | bc -l)"
printf 'brandvault render:            %d photos in %.2f s (%.2f photos/s), peak RSS %d MiB\n' \
  "$n" "$ours" "$(echo "$n / $ours" | bc -l)" "$(( $(cat "$work/rss") / 1024 ))"
printf 'ratio: brandvault is %.2fx heif-convert + vipsthumbnail\n' "$(echo "$theirs / $ours" | bc -l)"
printf 'preview %s vs %s; PSNR against the reference: brandvault %s dB, vipsthumbnail %s dB\n' \
  "$size" "$peer_size" "$(psnr "$work/ours-preview.jpg")" "$(psnr "$work/peer/${first%.heic}-preview.jpg")"
