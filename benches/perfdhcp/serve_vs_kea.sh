#!/usr/bin/env bash
# Leases per second through the whole daemon: perfdhcp -6 (Solicit, Advertise, Request, Reply
# with fresh DUIDs) against `sixconf serve` (durability fsync and process) and kea-dhcp6
# (memfile, lease file on), alternating in one run, over a veth pair between two network
# namespaces this script creates and removes. Needs root, perfdhcp (kea-admin), kea-dhcp6, and
# a release build: cargo build --release -p sixconf --bin sixconf
#
#   sudo benches/perfdhcp/serve_vs_kea.sh [RATE...]      (default rates: 2000 5000 10000)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$PWD/target/release/sixconf
if [ $# -gt 0 ]; then RATES=("$@"); else RATES=(2000 5000 10000); fi
R=sxbench-r$$ H=sxbench-h$$
DIR=$(mktemp -d)
cleanup() {
  for ns in $R $H; do
    for p in $(ip netns pids $ns 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
    ip netns del $ns 2>/dev/null || true
    rm -rf /etc/netns/$ns
  done
  rm -rf "$DIR"
}
trap cleanup EXIT
for ns in $R $H; do
  mkdir -p /etc/netns/$ns && echo "nameserver ::1" > /etc/netns/$ns/resolv.conf
  ip netns add $ns && ip -n $ns link set lo up
done
ip link add sxr0 netns $R type veth peer name sxh0 netns $H
ip netns exec $H sysctl -qw net.ipv6.conf.sxh0.accept_ra=0
ip -n $R link set sxr0 up && ip -n $H link set sxh0 up
sleep 2.5   # link-local addresses out of DAD

for d in fsync process; do cat > "$DIR/sx-$d.toml" <<TOML
[server]
lease_db = "$DIR/$d/leases.sqlite"
durability = "$d"
rate_limit_per_second = 0     # perfdhcp's clients would share rate buckets
max_leases = 400000

[[link]]
interface = "sxr0"
mode = "dhcpv6-stateful"
prefix = "2001:db8:cafe:1::/64"
dns_servers = ["2001:db8:cafe:a::e"]
pool = "2001:db8:cafe:1::1:0-2001:db8:cafe:1::ffff:ffff"
preferred_lifetime = 3600
valid_lifetime = 7200
TOML
done
cat > "$DIR/kea.json" <<JSON
{ "Dhcp6": {
  "interfaces-config": { "interfaces": [ "sxr0" ] },
  "lease-database": { "type": "memfile", "persist": true, "name": "$DIR/kea/leases6.csv", "lfc-interval": 0 },
  "preferred-lifetime": 3600, "valid-lifetime": 7200, "renew-timer": 1800, "rebind-timer": 2880,
  "subnet6": [ { "id": 1, "subnet": "2001:db8:cafe:1::/64", "interface": "sxr0",
     "pools": [ { "pool": "2001:db8:cafe:1::1:0-2001:db8:cafe:1::ffff:ffff" } ],
     "option-data": [ { "name": "dns-servers", "data": "2001:db8:cafe:a::e" } ] } ],
  "loggers": [ { "name": "kea-dhcp6", "severity": "WARN", "output_options": [ { "output": "$DIR/kea/kea.log" } ] } ]
} }
JSON

start() {
  case $1 in
    sx-*) rm -rf "$DIR/${1#sx-}" && mkdir -p "$DIR/${1#sx-}"
          ip netns exec $R "$BIN" serve --config "$DIR/$1.toml" > "$DIR/$1.log" 2>&1 & ;;
    kea)  rm -rf "$DIR/kea" && mkdir -p "$DIR/kea" /run/kea /var/lib/kea
          ip netns exec $R kea-dhcp6 -c "$DIR/kea.json" > "$DIR/kea.out" 2>&1 & ;;
  esac
  sleep 2
}
stop() {
  for p in $(ip netns pids $R); do kill -TERM "$p"; sleep 0.3; kill -TERM "$p" 2>/dev/null || true; done
  for _ in $(seq 1 100); do [ -z "$(ip netns pids $R)" ] && break; sleep 0.1; done
}
printf '%-6s %-11s %9s %9s %8s %8s %9s %9s\n' rate server solicits replies leases/s "drop SA" "avg SA" "avg RR"
for rate in "${RATES[@]}"; do
  for s in sx-fsync sx-process kea; do
    start $s
    out="$DIR/p-$s-$rate.txt"
    ip netns exec $H timeout 40 perfdhcp -6 -l sxh0 -r "$rate" -R 1000000 -p 10 > "$out" 2>&1 || true
    stop
    sent=$(grep "sent packets" "$out" | head -1 | awk '{print $3}')
    rx=$(grep "received packets" "$out" | tail -1 | awk '{print $3}')
    drop=$(grep "drops ratio" "$out" | head -1 | awk '{print $3}')
    avg=($(grep "avg delay" "$out" | awk '{print $3}'))
    printf '%-6s %-11s %9s %9s %8s %7.1f%% %7sms %7sms\n' "$rate" "$s" "$sent" "$rx" $((rx / 10)) "$drop" "${avg[0]}" "${avg[1]:-?}"
  done
done
