#!/usr/bin/env bash
# Screenshots of each page type at 1366 and 390 px, in headless Chromium, of a demo library:
# the sample photos of ingest/ with captions, credits and themes, approved for the public.
# Usage: docs/screenshots/make.sh [BINARY]   (default: target/release/brandvault)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$root/target/release/brandvault}
out=$root/docs/screenshots
work=$(mktemp -d)
trap 'kill $(cat "$work/pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
cp -r "$root/brand" "$root/ingest" "$work/"
cd "$work"
bv() { "$bin" --json "$@"; }
bv ingest ingest >/dev/null || true
captions=(
  "Căn cứ Tà Thiết.jpg|Căn cứ Tà Thiết giữa rừng Lộc Ninh|Tà Thiết base in the forest of Lộc Ninh|culture"
  "Núi Bà Rá nhìn từ hồ Thác Mơ.jpg|Núi Bà Rá nhìn từ hồ Thác Mơ lúc bình minh|Bà Rá mountain over Thác Mơ lake at dawn|tourism"
  "Sóc Bom Bo - nhà dài.jpg|Nhà dài của người S'tiêng ở Sóc Bom Bo|A S'tiêng long house in Sóc Bom Bo|culture"
  "Trảng cỏ Bù Lạch mùa mưa.jpg|Trảng cỏ Bù Lạch mùa mưa|Bù Lạch grassland in the rainy season|tourism"
  "Vườn quốc gia Bù Gia Mập.jpg|Rừng nguyên sinh Vườn quốc gia Bù Gia Mập|Old-growth forest of Bù Gia Mập National Park|tourism"
  "Đồng Xoài - trung tâm.jpg|Trung tâm thành phố Đồng Xoài|Đồng Xoài city centre|investment"
)
for entry in "${captions[@]}"; do
  IFS='|' read -r name vi en theme <<<"$entry"
  id=$("$bin" hash "ingest/$name" | cut -c1-64)
  bv edit "$id" --caption-vi "$vi" --caption-en "$en" --credit "Trung tâm Xúc tiến Bình Phước" \
    --license "CC BY 4.0" --tag "$theme" --tag public-tourists --access public >/dev/null
  bv submit "$id" >/dev/null
  bv approve "$id" --override "ảnh mẫu" >/dev/null
done
# The desk: an admin, a designer and a brand manager; the designer's uploads, one to fix,
# two in review (one rejected first, to show a history).
for who in "quan admin Quản trị viên" "thu designer Phạm Thu" "hoa brand_manager Nguyễn Hoa" "lan press Nguyễn Lan"; do
  read -r name role display <<<"$who"
  echo "một mật khẩu đủ dài" | bv user create "$name" --role "$role" --display-name "$display" --organisation "Sở VHTTDL" >/dev/null
done
token=$(bv token create --role designer --name thu | python3 -c "import json,sys; print(json.load(sys.stdin)['token'])")
manager=$(bv token create --role brand_manager --name hoa-api | python3 -c "import json,sys; print(json.load(sys.stdin)['token'])")
# A film with Vietnamese and English subtitles, public and approved.
ffmpeg -hide_banner -loglevel error -nostdin -f lavfi -i "testsrc=s=1280x720:r=25:d=8" -f lavfi -i "sine=f=440:d=8" \
  -c:v libx264 -preset ultrafast -pix_fmt yuv420p -y "$work/Lễ hội Sóc Bom Bo.mp4"
film=$(bv ingest "$work/Lễ hội Sóc Bom Bo.mp4" | python3 -c "import json,sys; print(json.load(sys.stdin)['added'][0])")
bv edit "$film" --caption-vi "Lễ hội cồng chiêng Sóc Bom Bo" --caption-en "Gong festival at Sóc Bom Bo" \
  --credit "Trung tâm Xúc tiến Bình Phước" --license "CC BY 4.0" --tag culture --tag public-tourists --access public >/dev/null
printf '1\n00:00:00,500 --> 00:00:03,500\nLễ hội cồng chiêng ở Sóc Bom Bo\n\n2\n00:00:04,000 --> 00:00:07,500\nTiếng cồng chiêng của người S'"'"'tiêng\n' >"$work/vi.srt"
printf 'WEBVTT\n\n00:00.500 --> 00:03.500\nThe gong festival at Sóc Bom Bo\n\n00:04.000 --> 00:07.500\nThe gongs of the S'"'"'tiêng people\n' >"$work/en.vtt"
bv render >/dev/null
first=$("$bin" hash "ingest/Núi Bà Rá nhìn từ hồ Thác Mơ.jpg" | cut -c1-64)
"$bin" serve --bind 127.0.0.1:8097 >serve.log 2>&1 &
echo $! >pid
for _ in $(seq 50); do curl -sf http://127.0.0.1:8097/healthz >/dev/null && break; sleep 0.2; done
up() { # file [fields...]: uploads as the designer, prints the new asset's id
  local file=$1; shift
  local args=()
  for f in "$@"; do args+=(-F "$f"); done
  curl -sf -H "Authorization: Bearer $token" "${args[@]}" -F "file=@$file" http://127.0.0.1:8097/api/assets |
    python3 -c "import json,sys; print(json.load(sys.stdin)['id'])"
}
"$(dirname "$bin")/make-samples" --corpus 4 1600 1067 "$work/desk" "$work/brand" >/dev/null
mapfile -t samples < <(find "$work/desk" -name '*.jpg' | sort)
draft=$(up "${samples[0]}" "caption_vi=Đồi chè Lộc Ninh buổi sớm" "caption_en=Tea hills of Lộc Ninh at dawn" "tag=tourism")
inreview=$(up "${samples[1]}" "caption_vi=Rừng cao su Đồng Phú" "caption_en=Rubber forest of Đồng Phú" "license=CC BY 4.0" "tag=investment" "tag=investors" "spot=trang-co-bu-lach")
other=$(up "${samples[2]}" "caption_vi=Hồ Suối Lam" "license=CC BY 4.0" "tag=tourism" "tag=investors")
for id in "$inreview" "$other"; do
  curl -sf -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{}' "http://127.0.0.1:8097/api/assets/$id/submit" >/dev/null
done
# The draft gets a larger file as its new version (its first file stays an earlier one).
curl -sf -H "Authorization: Bearer $token" -F "reason=ảnh gốc lớn hơn" -F "file=@${samples[3]}" \
  "http://127.0.0.1:8097/api/assets/$draft/versions" >/dev/null
for track in "vi vi.srt" "en en.vtt"; do
  read -r lang file <<<"$track"
  curl -sf -H "Authorization: Bearer $manager" -F "lang=$lang" -F "file=@$work/$file" \
    "http://127.0.0.1:8097/api/assets/$film/subtitles" >/dev/null
done
for step in submit approve; do
  curl -sf -X POST -H "Authorization: Bearer $manager" -H 'Content-Type: application/json' \
    -d '{"override": "phim mẫu"}' "http://127.0.0.1:8097/api/assets/$film/$step" >/dev/null
done
public=$(for entry in "${captions[@]}"; do "$bin" hash "ingest/${entry%%|*}" | cut -c1-64; done | python3 -c "import json,sys; print(json.dumps(sys.stdin.read().split()[:4]))")
echo "{\"draft\": \"$draft\", \"approved\": \"$first\", \"film\": \"$film\", \"public\": $public}" >"$out/.ids.json"
shoot() { # name path width
  chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d -p "$work")" --window-size="$3,1000" \
    --screenshot="$out/$1-$3.png" "http://127.0.0.1:8097$2" >/dev/null 2>&1
}
for w in 1366 390; do
  shoot catalogue "/" $w
  shoot search "/?q=bu+lach" $w
  shoot asset "/assets/$first" $w
  shoot asset-en "/assets/$first?lang=en" $w
  shoot spots "/spots" $w
  shoot brand "/brand" $w
  shoot not-found "/assets/0000" $w
  shoot bad-filter "/?from=2024-13-01" $w
  shoot login "/login" $w
  shoot film "/assets/$film" $w
done
axe=$root/target/axe/node_modules/axe-core/axe.min.js
python3 "$root/docs/screenshots/desk.py" http://127.0.0.1:8097 "$out" $([ -f "$axe" ] && echo "$axe")
rm -f "$out/.ids.json"
echo "screenshots in $out"
