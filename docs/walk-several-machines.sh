#!/usr/bin/env bash
# docs/deployment.md's "One machine, or several", followed on clean machines made on this one: each
# host is a fresh Debian 12 (debootstrap, minbase) of its own (an overlay on one clean root)
# with its own network namespace, joined by a bridge: `db` (PostgreSQL from Debian), `s3`
# (moto's S3 server), `node1` and `node2` (`brandvault serve`), `admin` (commands while the
# nodes run) and `lb` (nginx, round robin). Nothing of the build machine is visible on them but
# the binary they are given and the brand folder, as an operator would copy them.
# Needs root, debootstrap and network access to Debian's and PyPI's mirrors while the hosts are
# prepared (the namespaces themselves have no way out).
# The hosts stay up after the walk, to look at; `--down` stops them, `--checks` runs the checks
# again on hosts that are up. W (default /srv/clean) is where the roots are kept.
#   sudo docs/walk-several-machines.sh            sudo docs/walk-several-machines.sh --down
set -euo pipefail
W=${W:-/srv/clean}
ROOT=$W/root
HOSTS="db:2 s3:3 node1:11 node2:12 admin:20 lb:30"
REPO=$(cd "$(dirname "$0")/.." && pwd)

down() {
  for h in $HOSTS; do
    local n=${h%%:*}
    ip netns pids "bv-$n" 2> /dev/null | xargs -r kill -9 2> /dev/null || true
    while [ -n "$(ip netns pids "bv-$n" 2> /dev/null)" ]; do sleep 0.1; done
    ip link del "bv-$n" 2> /dev/null || true
    for m in proc dev/pts dev; do umount -l "$W/$n/root/$m" 2> /dev/null || true; done
    umount -l "$W/$n/root" 2> /dev/null || true
    ip netns del "bv-$n" 2> /dev/null || true
  done
  ip link del bvbr0 2> /dev/null || true
}
# A host's commands start with a clean environment.
CLEAN=(env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root LANG=C.UTF-8
  DEBIAN_FRONTEND=noninteractive)
# on HOST CMD…: runs a shell command on a host (its root, its network namespace).
on() { ip netns exec "bv-$1" chroot "$W/$1/root" "${CLEAN[@]}" bash -c "${*:2}"; }
# prepare HOST CMD…: the same with the outside network (installing software).
prepare() { chroot "$W/$1/root" "${CLEAN[@]}" bash -c "${*:2}"; }

ENV="export BRANDVAULT_STORE=s3://anh-binhphuoc/thu-vien AWS_ACCESS_KEY_ID=walk AWS_SECRET_ACCESS_KEY=walk \
  AWS_REGION=ap-southeast-1 AWS_ENDPOINT_URL=http://s3.binhphuoc.internal:9000 AWS_ALLOW_HTTP=true \
  BRANDVAULT_CATALOG=postgres://brandvault:mat-khau@db.binhphuoc.internal:5432/brandvault \
  BRANDVAULT_PUBLIC_URL=http://anh.binhphuoc.internal"

# setup: the hosts, their software, the database, the bucket, the nodes and the load balancer.
setup() {
  [ -d "$ROOT/usr" ] || debootstrap --variant=minbase \
    --include=ca-certificates,curl,postgresql,nginx,python3-venv,procps bookworm "$ROOT" \
    http://deb.debian.org/debian
  down
  ip link add bvbr0 type bridge
  ip addr add 10.77.0.1/24 dev bvbr0
  ip link set bvbr0 up
  for h in $HOSTS; do
    n=${h%%:*} ip=10.77.0.${h##*:}
    rm -rf "${W:?}/$n"
    mkdir -p "$W/$n/upper" "$W/$n/work" "$W/$n/root"
    mount -t overlay overlay -o "lowerdir=$ROOT,upperdir=$W/$n/upper,workdir=$W/$n/work" "$W/$n/root"
    mount --bind /dev "$W/$n/root/dev"
    mount --bind /dev/pts "$W/$n/root/dev/pts"
    mount -t proc proc "$W/$n/root/proc"
    cp /etc/resolv.conf "$W/$n/root/etc/resolv.conf"
    ip netns add "bv-$n"
    ip link add "bv-$n" type veth peer name eth0 netns "bv-$n"
    ip link set "bv-$n" master bvbr0 up
    ip -n "bv-$n" addr add "$ip/24" dev eth0
    ip -n "bv-$n" link set eth0 up
    ip -n "bv-$n" link set lo up
    ip -n "bv-$n" route add default via 10.77.0.1
    {
      echo "127.0.0.1 localhost"
      for g in $HOSTS; do echo "10.77.0.${g##*:} ${g%%:*}.binhphuoc.internal"; done
    } > "$W/$n/root/etc/hosts"
  done

  # What a node needs besides the binary (docs/deployment.md's list): the libraries it was linked with,
  # and ffmpeg for video renditions.
  NODE_PACKAGES="libturbojpeg0 libheif1 ffmpeg"
  BIN=$(mktemp -d)
  CARGO_TARGET_DIR=$REPO/target cargo install --quiet --path "$REPO" --root "$BIN" --bin brandvault
  for n in node1 node2 admin; do
    cp "$BIN/bin/brandvault" "$W/$n/root/usr/local/bin/"
    prepare "$n" "apt-get -qq update && apt-get -qq install -y --no-install-recommends $NODE_PACKAGES > /dev/null"
    on "$n" "ldd /usr/local/bin/brandvault | grep 'not found' && exit 1 || true"
  done
  # (PIP_CERT: where the walk ran, the way out goes through a proxy with a CA of its own.)
  cp /etc/ssl/certs/ca-certificates.crt "$W/s3/root/tmp/egress-ca.crt"
  prepare s3 "python3 -m venv /opt/moto && PIP_CERT=/tmp/egress-ca.crt /opt/moto/bin/pip install -q 'moto[server]==5.2.1'"

  # db: docs/deployment.md's "once" step.
  on db "sed -i \"s/^#listen_addresses.*/listen_addresses = '*'/\" /etc/postgresql/15/main/postgresql.conf \
    && echo 'host all all 10.77.0.0/24 scram-sha-256' >> /etc/postgresql/15/main/pg_hba.conf \
    && pg_ctlcluster 15 main start"
  on db "su postgres -c \"psql -qc \\\"CREATE ROLE brandvault LOGIN PASSWORD 'mat-khau'\\\"\" && su postgres -c 'createdb -O brandvault brandvault'"
  # s3: a bucket, as an operator makes one with their provider's tool.
  on s3 "MOTO_S3_CUSTOM_ENDPOINTS=http://s3.binhphuoc.internal:9000 nohup /opt/moto/bin/moto_server -H 0.0.0.0 -p 9000 > /var/log/moto.log 2>&1 &"
  until on s3 "curl -s -o /dev/null http://127.0.0.1:9000/"; do sleep 0.2; done
  on s3 "curl -sf -X PUT http://127.0.0.1:9000/anh-binhphuoc"
  # …and the policy that lets anyone (the CDN) read the public copies of renditions, only them.
  on s3 "curl -sf -X PUT -H 'Content-Type: application/json' 'http://127.0.0.1:9000/anh-binhphuoc?policy' \
    --data-binary '{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\",
      \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::anh-binhphuoc/thu-vien/public/*\"}]}' > /dev/null"

  for n in node1 node2 admin; do
    mkdir -p "$W/$n/root/srv/brandvault"
    cp -r "$REPO/brand" "$W/$n/root/srv/brandvault/brand"
  done
  for n in node1 node2; do
    on "$n" "$ENV; cd /srv/brandvault && nohup brandvault serve --bind 0.0.0.0:8080 \
      --public-blob-url http://s3.binhphuoc.internal:9000/anh-binhphuoc/thu-vien/public \
      > serve.log 2>&1 &"
  done
  rm "$W/lb/root/etc/nginx/sites-enabled/default"
  cat > "$W/lb/root/etc/nginx/conf.d/brandvault.conf" << 'EOF'
  upstream brandvault { server node1.binhphuoc.internal:8080; server node2.binhphuoc.internal:8080; }
  server {
    listen 80;
    client_max_body_size 4g;
    proxy_request_buffering off;
    location / {
      proxy_pass http://brandvault;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
    }
  }
EOF
  on lb "nginx"
  for n in node1 node2; do
    for _ in $(seq 240); do
      on admin "curl -sf http://$n.binhphuoc.internal:8080/healthz > /dev/null" && continue 2
      sleep 0.5
    done
    echo "walk: $n did not start:" >&2
    cat "$W/$n/root/srv/brandvault/serve.log" >&2
    exit 1
  done
  echo "walk: hosts up; nodes answer /healthz"
}

# The checks: commands from the administrator's machine while both nodes run, an upload through
# the load balancer, seen, downloaded and approved on each node, a rendition sent to the bucket.
checks() {
  mkdir -p "$W/admin/root/srv/photos"
  cp "$REPO"/ingest/*.jpg "$W/admin/root/srv/photos/"
  token() { on admin "$ENV; cd /srv/brandvault && brandvault --json token create --role $1 --name 'walk $1 $$'" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }
  DESIGNER=$(token designer)
  MANAGER=$(token brand_manager)
  LB=http://lb.binhphuoc.internal
  photo=$(ls "$W/admin/root/srv/photos" | head -n1)
  created=$(on admin "curl -sf -H 'Authorization: Bearer $DESIGNER' -F 'file=@/srv/photos/$photo' \
    -F 'caption_vi=Ảnh thử trên hai máy' -F 'caption_en=A photo tried on two machines' \
    -F 'credit=Sở VHTTDL Bình Phước' -F 'license=CC BY 4.0' -F tag=tourism -F tag=public-tourists \
    -F access=public $LB/api/assets")
  id=$(echo "$created" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  for n in node1 node2; do
    on admin "curl -sf -o /dev/null -H 'Authorization: Bearer $MANAGER' http://$n.binhphuoc.internal:8080/api/assets/$id"
  done
  echo "walk: $id uploaded through the load balancer, seen on node1 and node2"
  on admin "curl -sf -H 'Authorization: Bearer $DESIGNER' -X POST $LB/api/assets/$id/submit > /dev/null"
  # The sample photos are 960 px wide, under the press's 2,000: approved with a written override.
  on admin "curl -sf -H 'Authorization: Bearer $MANAGER' -H 'Content-Type: application/json' \
    -d '{\"override\": \"ảnh mẫu 960 px, chỉ để thử\"}' -X POST http://node2.binhphuoc.internal:8080/api/assets/$id/approve > /dev/null"
  status=$(on admin "curl -sf http://node1.binhphuoc.internal:8080/api/assets/$id" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
  [ "$status" = approved ] || { echo "walk: status $status on node1 after approval on node2" >&2; exit 1; }
  on admin "curl -sf -H 'Authorization: Bearer $MANAGER' -o /tmp/original '$LB/api/assets/$id/download'"
  cmp "$W/admin/root/tmp/original" "$W/admin/root/srv/photos/$photo"
  echo "walk: approved on node2, approved on node1, the original downloaded whole through the load balancer"
  for _ in $(seq 100); do
    thumb=$(on admin "curl -sf $LB/api/assets/$id" |
      python3 -c 'import json,sys; r = json.load(sys.stdin)["renditions"]; print(r[0]["url"] if r else "")')
    [ -n "$thumb" ] && break
    sleep 0.3
  done
  location=$(on admin "curl -s -o /dev/null -w '%{redirect_url}' $LB$thumb")
  case $location in
    http://s3.binhphuoc.internal:9000/anh-binhphuoc/thu-vien/public/*) ;;
    *) echo "walk: $thumb was not sent to the bucket: '$location'" >&2; exit 1 ;;
  esac
  on admin "curl -sf -o /dev/null '$location'"
  original=$(on admin "curl -s -o /dev/null -w '%{http_code}' \
    http://s3.binhphuoc.internal:9000/anh-binhphuoc/thu-vien/objects/${id:0:2}/${id:2}")
  [ "$original" = 403 ] || { echo "walk: the original answered $original from the bucket" >&2; exit 1; }
  echo "walk: $thumb answered 302 to $location, which the bucket serves (the original: 403)"
  on admin "$ENV; cd /srv/brandvault && brandvault --json ingest /srv/photos" > "$W/ingest.json"
  # Renditions made on a node carry the public URL; the administrator's command, given the same
  # one, finds them current and makes only the new photos' (none made twice).
  python3 -c 'import json,sys; d = json.load(open(sys.argv[1])); assert d["unfinished"] == 0, d' "$W/ingest.json"
  on admin "$ENV; cd /srv/brandvault && brandvault --json verify" > "$W/verify.json"
  listed=$(on admin "curl -sf -H 'Authorization: Bearer $MANAGER' '$LB/api/assets?kind=photo&limit=100'" |
    python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')
  [ "$listed" = "$(ls "$REPO"/ingest/*.jpg | wc -l)" ] || { echo "walk: $listed photos listed" >&2; exit 1; }
  echo "walk: ingest from the administrator's machine, then all $listed photos listed through the load balancer; verify clean"

}

case ${1:-} in
  --down) down ;;
  --checks) checks ;;
  *) setup && checks ;;
esac
