#!/usr/bin/env bash
# Leases per second of `sixconf serve` on a shared PostgreSQL lease database, with one and two
# servers on one link, beside one server on SQLite, in the same run (DESIGN.md: figures as ratios
# of a baseline from the same run; the machine is shared).
#
# Topology: namespaces pgb-s1, pgb-s2 (servers) and pgb-c (perfdhcp), joined by a bridge in
# pgb-c. PostgreSQL: a private cluster (initdb + pg_ctl as the postgres user) on a Unix socket in
# a temporary directory. Each variant runs perfdhcp -6 -u (address uniqueness checked) with fresh
# clients at the rates of RATES for DURATION seconds; the table gives Replies per second.
#
# Needs root, perfdhcp (Debian: kea-admin), postgresql, and a release build:
#   cargo build --release -p sixconf --bin sixconf
#   sudo benches/perfdhcp/postgres.sh
#   sudo RATES="500 1000 2000" DURATION=20 benches/perfdhcp/postgres.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-$PWD/target/release/sixconf}
RATES=${RATES:-"500 1000 2000 4000"}
DURATION=${DURATION:-15}
DURABILITY=${DURABILITY:-fsync}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
S1=pgb-s1-$$ S2=pgb-s2-$$ C=pgb-c-$$
DIR=$(mktemp -d /tmp/pgb.XXXXXX)
chmod 755 "$DIR"
cleanup() {
  for ns in $S1 $S2 $C; do
    for p in $(ip netns pids $ns 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
    ip netns del $ns 2>/dev/null || true
    rm -rf /etc/netns/$ns
  done
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$DIR/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  if [ "${KEEP:-0}" = 1 ]; then echo "kept: $DIR" >&2; else rm -rf "$DIR"; fi
}
trap cleanup EXIT

# PostgreSQL.
mkdir -p "$DIR/pg" && chown postgres:postgres "$DIR/pg"
runuser -u postgres -- "$PGBIN/initdb" -D "$DIR/pg/data" -A trust -U postgres >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$DIR/pg/data" -l "$DIR/pg/log" -w \
  -o "-k $DIR/pg -c listen_addresses=''" start >/dev/null
psql() { runuser -u postgres -- "$PGBIN/psql" -X -q -A -t -h "$DIR/pg" -U postgres "$@"; }
URL="postgresql://postgres@$(printf %s "$DIR/pg" | sed 's|/|%2F|g')/sixconf"

# The link: a bridge in the client namespace, one veth to each server.
for ns in $S1 $S2 $C; do
  mkdir -p /etc/netns/$ns && echo "nameserver ::1" > /etc/netns/$ns/resolv.conf
  ip netns add $ns && ip -n $ns link set lo up
done
ip -n $C link add br0 type bridge mcast_snooping 0
ip netns exec $C sysctl -qw net.ipv6.conf.br0.accept_ra=0
i=0
for ns in $S1 $S2; do
  i=$((i + 1))
  ip link add sxs0 netns $ns address 02:00:00:00:00:0$i type veth peer name v$i netns $C
  ip -n $C link set v$i master br0 up
  ip -n $ns link set sxs0 up
done
ip -n $C link set br0 up
sleep 2.5   # link-local addresses out of DAD

config() { # $1 = lease_db
  cat <<TOML
[server]
lease_db = "$1"
durability = "$DURABILITY"
rate_limit_per_second = 0
max_leases = 1000000

[[link]]
interface = "sxs0"
mode = "dhcpv6-stateful"
prefix = "2001:db8:cafe:1::/64"
pool = "2001:db8:cafe:1::1:0-2001:db8:cafe:1::ffff:ffff"
preferred_lifetime = 3600
valid_lifetime = 7200
TOML
}

SERVERS=()
start() { # $1 = namespace, $2 = lease_db, $3 = log
  config "$2" > "$DIR/$1.toml"
  ip netns exec $1 "$BIN" serve --config "$DIR/$1.toml" >> "$DIR/$3" 2>&1 &
  SERVERS+=($!)
  for _ in $(seq 1 100); do
    ip netns exec $1 ss -Hlun 'sport = :547' | grep -q . && return
    sleep 0.05
  done
  echo "sixconf serve did not start; its log:" >&2; tail "$DIR/$3" >&2; exit 1
}
stop_all() {
  for p in "${SERVERS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${SERVERS[@]}"; do wait "$p" 2>/dev/null || true; done
  SERVERS=()
}
reset_db() {
  psql -d postgres -c "DROP DATABASE IF EXISTS sixconf" -c "CREATE DATABASE sixconf"
  rm -f "$DIR"/leases.sqlite*
}

# One perfdhcp run; prints "replies/s drops% nonunique".
run() { # $1 = rate
  ip netns exec $C perfdhcp -6 -l br0 -u -r "$1" -R 100000000 -p "$DURATION" > "$DIR/perf.txt" 2>&1 || true
  python3 - "$DIR/perf.txt" "$DURATION" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
sec = t.split("***Statistics for: REQUEST-REPLY***")[-1] if "REQUEST-REPLY" in t else ""
def num(pat, text):
    m = re.search(pat, text)
    return int(m.group(1)) if m else 0
sent = num(r"sent packets: (\d+)", sec)
recv = num(r"received packets: (\d+)", sec)
nonu = num(r"non unique addresses: (\d+)", sec)  # Replies only: an Advertise reserves nothing
drops = 100.0 * (sent - recv) / sent if sent else 100.0
print(f"{recv / float(sys.argv[2]):.0f} {drops:.2f} {nonu}")
PY
}

printf '%-22s %8s %14s %8s %10s\n' variant rate "replies/s" "drops%" "nonunique (Replies)"
declare -A BEST
for rate in $RATES; do
  for variant in sqlite pg-one pg-two; do
    reset_db
    case $variant in
      sqlite) start $S1 "$DIR/leases.sqlite" s1.log ;;
      pg-one) start $S1 "$URL" s1.log ;;
      pg-two) start $S1 "$URL" s1.log; start $S2 "$URL" s2.log ;;
    esac
    read -r rps drops nonu < <(run "$rate")
    stop_all
    printf '%-22s %8s %14s %8s %10s\n' "$variant" "$rate" "$rps" "$drops" "$nonu"
    if [ "$variant" != sqlite ]; then
      dups=$(psql -d sixconf -c "SELECT count(*) - count(DISTINCT address) FROM sixconf.leases")
      [ "$dups" = 0 ] || echo "  DUPLICATE rows in PostgreSQL: $dups"
    fi
    best=${BEST[$variant]:-0}
    awk -v a="$rps" -v b="$best" 'BEGIN { exit !(a > b) }' && BEST[$variant]=$rps
  done
done
echo
echo "best replies/s: sqlite ${BEST[sqlite]}, pg-one ${BEST[pg-one]}, pg-two ${BEST[pg-two]}"
awk -v s="${BEST[sqlite]}" -v o="${BEST[pg-one]}" -v t="${BEST[pg-two]}" \
  'BEGIN { printf "ratios to sqlite (same run): pg-one %.2f, pg-two %.2f\n", o / s, t / s }'
