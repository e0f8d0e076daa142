#!/usr/bin/env bash
# Writing a caption (vi, en) and a credit into 1,000 JPEGs in place: exiftool (one process for
# all files, as a photo desk would run it; XMP and IPTC, UTF-8) against brandvault's writer
# (benches/metadata_write.rs: EXIF, XMP and IPTC, what every delivered JPEG carries). One run
# each on the same fresh copies of the sample photos; prints files per second and the ratio.
# Both sides are mostly file I/O (perf: >90% of brandvault's time is in the kernel), so the
# ratio depends on the disk; TMPDIR=/dev/shm runs both on memory and compares the software.
# Usage: [TMPDIR=DIR] benches/exiftool_compare.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mapfile -t samples < <(ls ingest/*.jpg)
mkdir -p "$work/src"
for i in $(seq 0 $((n - 1))); do
  cp "${samples[$((i % ${#samples[@]}))]}" "$work/src/$(printf '%05d' "$i").jpg"
done
cargo bench --bench metadata_write --no-run >/dev/null 2>&1
cp -r "$work/src" "$work/exiftool"
cp -r "$work/src" "$work/brandvault"
start=$(date +%s.%N)
exiftool -q -overwrite_original -charset iptc=utf8 -IPTC:CodedCharacterSet=UTF8 \
  '-XMP-dc:Description-vi=Trảng cỏ Bù Lạch' '-XMP-dc:Description-en=Bu Lach grassland' \
  '-XMP-dc:Creator=Ảnh: Nguyễn Thị Hồng' '-IPTC:Caption-Abstract=Trảng cỏ Bù Lạch' \
  '-IPTC:By-line=Ảnh: Nguyễn Thị Hồng' "$work/exiftool" 
end=$(date +%s.%N)
exiftool_s=$(echo "$end - $start" | bc -l)
line=$(cargo bench --bench metadata_write -- "$work/brandvault" 2>/dev/null | grep ' files in ')
brandvault_s=$(echo "$line" | awk '{print $4}')
# Both really wrote: the caption reads back from one file of each.
exiftool -s3 -XMP-dc:Description-vi "$work/exiftool/00000.jpg" "$work/brandvault/00000.jpg"
printf 'exiftool:   %d files in %.3f s (%.0f files/s)\n' "$n" "$exiftool_s" "$(echo "$n / $exiftool_s" | bc -l)"
printf 'brandvault: %d files in %.3f s (%.0f files/s)\n' "$n" "$brandvault_s" "$(echo "$n / $brandvault_s" | bc -l)"
printf 'ratio: brandvault is %.1fx exiftool\n' "$(echo "$exiftool_s / $brandvault_s" | bc -l)"
