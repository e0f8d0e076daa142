#!/usr/bin/env bash
# Runs a command against S3-compatible object storage: starts moto's S3 server (PyPI:
# `pip install 'moto[server]==5.2.1'`) on a free loopback port with one bucket, points the
# AWS_* variables and BRANDVAULT_TEST_STORE at it (each test library then keeps its objects
# under a prefix of its own there), runs "$@" and stops the server.
#   tests/with-s3.sh cargo test --test foundation
set -euo pipefail
command -v moto_server >/dev/null || {
  echo "with-s3: moto_server not found: pip install 'moto[server]==5.2.1'" >&2
  exit 2
}
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
moto_server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 200); do
  curl -s -o /dev/null "http://127.0.0.1:$port/" && break
  sleep 0.1
done
curl -sf -X PUT "http://127.0.0.1:$port/brandvault-test" -o /dev/null || {
  echo "with-s3: the S3 server did not start:" >&2
  cat "$log" >&2
  exit 2
}
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ALLOW_HTTP=true
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
export BRANDVAULT_TEST_STORE=s3://brandvault-test
"$@"
