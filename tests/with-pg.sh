#!/usr/bin/env bash
# Runs a command against a real PostgreSQL server: creates a temporary cluster (Debian's
# postgresql-15 package) on a free loopback port, points BRANDVAULT_TEST_CATALOG at it (each
# test library then gets a database of its own there), runs "$@", then stops and removes the
# cluster. PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres`
# user the package creates.
#   tests/with-pg.sh cargo test --test foundation
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/postgres" ] || {
  echo "with-pg: no PostgreSQL server: apt-get install postgresql" >&2
  exit 2
}
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dir=$(mktemp -d /tmp/brandvault-pg.XXXXXX)
as_owner=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$dir"
  as_owner=(runuser -u postgres --)
fi
"${as_owner[@]}" "$bin/initdb" -D "$dir/db" -U brandvault --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
  cat "$dir/initdb.log" >&2
  exit 2
}
# Durability is the server's business, not the tests': without fsync the suite runs faster.
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/db" -l "$dir/server.log" -w start \
  -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c max_connections=400" >/dev/null || {
  cat "$dir/server.log" >&2
  exit 2
}
trap '"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/db" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=brandvault
export BRANDVAULT_TEST_CATALOG="postgres://brandvault@127.0.0.1:$port"
"$@"
