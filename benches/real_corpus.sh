#!/usr/bin/env bash
# A corpus of real full-resolution photographs for benches/renditions_compare.py: nine photos
# from Debian's lomiri-wallpapers-16.04 and -20.04 (Ubuntu's wallpaper contests; camera-native
# sizes from 2056×3088 to 6028×3391, 2×1 and 2×2 chroma subsampling, q85–q92; EXIF stripped
# by their authors), each copied four times and made byte-distinct by trailing bytes: 36 files.
# Usage: benches/real_corpus.sh DIR   then   benches/renditions_compare.py DIR WORK BINARY
set -euo pipefail
out=${1:?usage: benches/real_corpus.sh DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -qq lomiri-wallpapers-16.04 lomiri-wallpapers-20.04 2>/dev/null)
for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$tmp/x"; done
mkdir -p "$out"
for name in Kleiber_by_Lukas_Baubkus seeding_by_Clements_Engelhardt Bridge_by_Sander_Klootwijk \
  sunset_by_Aitzol_Berasategi Dragonfly_by_Bolly picosdeeuropa_by_Aitzol_Berasategi \
  life_by_Aitzol_Berasategi aitzgorri_by_Aitzol_Berasategi friends_by_Aitzol_Berasategi; do
  for k in 1 2 3 4; do
    cp "$tmp/x/usr/share/backgrounds/$name.jpg" "$out/$name-$k.jpg"
    printf 'copy %s' "$k" >> "$out/$name-$k.jpg"
  done
done
ls "$out" | wc -l
