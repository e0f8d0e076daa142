#!/bin/bash
# What a credit edit costs a film's web rendition (`video-web`): encoding it again (what an edit
# did before) against the stream copy with new tags that `Ffmpeg::retag` does now, with the
# same ffmpeg arguments as the code. Usage: benches/film_retag.sh [SECONDS] (default 120).
set -e
d=$(mktemp -d)
ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc2=s=1920x1080:r=25:d=${1:-120} -f lavfi -i sine=d=${1:-120} \
  -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -shortest $d/src.mp4
ffmpeg -hide_banner -loglevel error -i $d/src.mp4 -map 0:v:0 -map '0:a:0?' -sn -dn -map_metadata -1 -map_chapters -1 \
  -vf scale=1280:720 -c:v libx264 -preset veryfast -profile:v high -crf 23 -pix_fmt yuv420p -c:a aac -b:a 128k -ac 2 \
  -movflags +faststart -metadata artist=A -f mp4 -y $d/web.mp4
t0=$(date +%s.%N)
ffmpeg -hide_banner -loglevel error -i $d/src.mp4 -map 0:v:0 -map '0:a:0?' -sn -dn -map_metadata -1 -map_chapters -1 \
  -vf scale=1280:720 -c:v libx264 -preset veryfast -profile:v high -crf 23 -pix_fmt yuv420p -c:a aac -b:a 128k -ac 2 \
  -movflags +faststart -metadata artist=B -f mp4 -y $d/again.mp4
t1=$(date +%s.%N)
ffmpeg -hide_banner -loglevel error -i $d/web.mp4 -map 0 -c copy -map_metadata -1 -map_chapters -1 \
  -movflags +faststart -metadata artist=B -f mp4 -y $d/retag.mp4
t2=$(date +%s.%N)
echo "web rendition $(stat -c %s $d/web.mp4) bytes, ${1:-120} s 720p"
echo "encode again: $(echo "$t1 - $t0" | bc) s; retag: $(echo "$t2 - $t1" | bc) s"
rm -rf $d
