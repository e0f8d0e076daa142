#!/usr/bin/env bash
# One ~200 KB rendition served by brandvault vs nginx serving the same file, wrk on loopback,
# ratio from one run (goal ≥ 0.8× nginx's requests/s).
# Needs: nginx (nginx-light), wrk. Usage: benches/http_compare.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
W=${1:-/tmp/brandvault-http-bench}
rm -rf "$W" && mkdir -p "$W/ng/r"
cargo build --release --quiet --bins
BV=$PWD/target/release/brandvault
"$BV" --data "$W/data" ingest ingest > /dev/null
ID=$("$BV" --data "$W/data" ls --query "bu lach" | cut -c1-12)
"$BV" --data "$W/data" edit "$ID" --access public > /dev/null
"$BV" --data "$W/data" submit "$ID" > /dev/null
"$BV" --data "$W/data" approve "$ID" --override "benchmark fixture" > /dev/null
URL=$("$BV" --data "$W/data" --json show "$ID" | python3 -c "import json,sys; print([r['url'] for r in json.load(sys.stdin)['renditions'] if r['preset']=='press'][0])")
H=${URL:3:64}
cp "$W/data/objects/${H:0:2}/${H:2}" "$W/ng/r/$H.jpg"
cat > "$W/nginx.conf" <<CONF
worker_processes 2;
pid $W/nginx.pid;
error_log $W/error.log;
events { worker_connections 1024; }
http {
  access_log off; sendfile on; types { image/jpeg jpg; }
  server { listen 127.0.0.1:18182; root $W/ng;
    location /r/ { add_header Cache-Control "public, max-age=31536000, immutable"; } }
}
CONF
nginx -c "$W/nginx.conf"
"$BV" --data "$W/data" serve --bind 127.0.0.1:18181 --drop "$W/none" 2> "$W/serve.log" &
SERVE=$!
trap 'kill $SERVE 2>/dev/null; nginx -c "$W/nginx.conf" -s stop 2>/dev/null' EXIT
sleep 2
echo "file: $URL ($(stat -c %s "$W/ng/r/$H.jpg") bytes)"
N=$(wrk -t2 -c32 -d10s "http://127.0.0.1:18182$URL" | awk '/Requests\/sec/ {print $2}')
B=$(wrk -t2 -c32 -d10s "http://127.0.0.1:18181$URL" | awk '/Requests\/sec/ {print $2}')
echo "nginx: $N req/s; brandvault: $B req/s"
python3 -c "print('RATIO brandvault vs nginx: %.2fx (goal >= 0.8x)' % ($B / $N))"
