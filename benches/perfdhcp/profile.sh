#!/usr/bin/env bash
# Where `sixconf serve` spends its instructions under perfdhcp: the daemon runs under valgrind's
# callgrind (durability "fsync", the setup of serve_vs_kea.sh) while perfdhcp drives a fixed
# number of fresh clients through it at a low rate (callgrind slows the daemon about 50×);
# prints the instructions per answered message and the functions that use most of them
# (inclusive), for BIN and, when BASE names another binary, for it in the same run.
#
# Needs root, perfdhcp, valgrind and a release build (debug symbols make the names readable:
# CARGO_PROFILE_RELEASE_DEBUG=line-tables-only cargo build --release -p sixconf --bin sixconf).
#   sudo benches/perfdhcp/profile.sh                  (N=3000 exchanges at RATE=300/s)
#   sudo BASE=/tmp/old-sixconf VARIANT=rapid benches/perfdhcp/profile.sh
# VARIANT: base (4-way exchange) or rapid (Rapid Commit); KEEP=1 keeps the callgrind files.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-$PWD/target/release/sixconf}
N=${N:-3000}
RATE=${RATE:-300}
VARIANT=${VARIANT:-base}
P=${NS_PREFIX:-sxprof}
R=$P-r$$ H=$P-h$$
DIR=$(mktemp -d)
cleanup() {
  for ns in $R $H; do
    for p in $(ip netns pids $ns 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
    ip netns del $ns 2>/dev/null || true
    rm -rf /etc/netns/$ns
  done
  if [ "${KEEP:-0}" = 1 ]; then echo "kept: $DIR" >&2; else rm -rf "$DIR"; fi
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

profile() { # name binary
  rm -rf "$DIR/db-$1" && mkdir -p "$DIR/db-$1"
  cat > "$DIR/$1.toml" <<TOML
[server]
lease_db = "$DIR/db-$1/leases.sqlite"
durability = "fsync"
rate_limit_per_second = 0
max_leases = 1500000

[[link]]
interface = "sxr0"
mode = "dhcpv6-stateful"
prefix = "2001:db8:cafe:1::/64"
dns_servers = ["2001:db8:cafe:a::e"]
pool = "2001:db8:cafe:1::1:0-2001:db8:cafe:1::ffff:ffff"
preferred_lifetime = 3600
valid_lifetime = 7200
$([ "$VARIANT" = rapid ] && echo 'rapid_commit = true')
TOML
  ip netns exec $R valgrind --tool=callgrind --callgrind-out-file="$DIR/cg-$1.out" \
    "$2" serve --config "$DIR/$1.toml" > "$DIR/$1.log" 2>&1 &
  for _ in $(seq 1 300); do
    ip netns exec $R ss -Hlun 'sport = :547' | grep -q . && break
    sleep 0.1
  done
  sleep 1
  local args=(-6 -R 100000000 -r "$RATE" -n "$N" -W 2000000 -l sxh0)
  [ "$VARIANT" = rapid ] && args+=(-o 14,)
  ip netns exec $H perfdhcp "${args[@]}" > "$DIR/perf-$1.txt" 2>&1 || true
  for p in $(ip netns pids $R); do kill -TERM "$p" 2>/dev/null || true; done
  for _ in $(seq 1 300); do [ -z "$(ip netns pids $R)" ] && break; sleep 0.1; done
  local replies total
  replies=$(awk '$1 == "dhcpv6.replies" { print $2 }' "$DIR/$1.log")
  total=$(callgrind_annotate "$DIR/cg-$1.out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
  echo "== $1 ($2): $replies messages answered, $total instructions, $(awk -v t="$total" -v r="$replies" 'BEGIN { if (r > 0) printf "%.0f", t / r; else print "?" }') per message"
  callgrind_annotate --inclusive=yes "$DIR/cg-$1.out" 2>/dev/null | grep -E '^ *[0-9,]+ ' | head -"${TOP:-40}" || true
}

profile new "$BIN"
[ -n "${BASE:-}" ] && profile base "$BASE"
exit 0
