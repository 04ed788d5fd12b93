#!/usr/bin/env bash
# Start time with N stored leases (default 1,000,000): `sixconf serve` (SQLite store) and, as
# the baseline, kea-dhcp6 (memfile CSV with the same leases). The databases are written
# directly (python3 sqlite3 and csv), then each server is started in a network namespace with
# a veth pair. Reported: for sixconf, process start to its "leases loaded" log line; for both,
# process start to the DHCPv6 socket being bound (UDP port 547 listed by ss), and the resident
# memory then.
#
# Needs root, kea-dhcp6, python3 and a release build:
#   cargo build --release -p sixconf --bin sixconf
#   sudo benches/perfdhcp/startup.sh [N]          (NO_KEA=1: sixconf only; KEEP=1: keep the files)
#   sudo BASE=/tmp/old-sixconf NO_KEA=1 RUNS=5 benches/perfdhcp/startup.sh   (before/after)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-$PWD/target/release/sixconf}
PY=/usr/bin/python3
N=${1:-1000000}
R=sxstart-r$$
DIR=$(mktemp -d)
cleanup() {
  for p in $(ip netns pids $R 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
  ip netns del $R 2>/dev/null || true
  rm -rf /etc/netns/$R
  if [ "${KEEP:-0}" = 1 ]; then echo "kept: $DIR" >&2; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
mkdir -p /etc/netns/$R && echo "nameserver ::1" > /etc/netns/$R/resolv.conf
ip netns add $R && ip -n $R link set lo up
ip -n $R link add sxr0 type veth peer name sxp0
ip -n $R link set sxr0 up && ip -n $R link set sxp0 up
sleep 2.5   # link-local addresses out of DAD

cat > "$DIR/sx.toml" <<TOML
[server]
lease_db = "$DIR/leases.sqlite"
durability = "fsync"
max_leases = $((N + N / 10 + 16))

[[link]]
interface = "sxr0"
mode = "dhcpv6-stateful"
prefix = "2001:db8:cafe:1::/64"
pool = "2001:db8:cafe:1::1:0-2001:db8:cafe:1::ffff:ffff"
preferred_lifetime = 3600
valid_lifetime = 7200
TOML
mkdir -p /run/kea /var/lib/kea
cat > "$DIR/kea.json" <<JSON
{ "Dhcp6": {
  "interfaces-config": { "interfaces": [ "sxr0" ] },
  "lease-database": { "type": "memfile", "persist": true, "name": "$DIR/leases6.csv", "lfc-interval": 0 },
  "preferred-lifetime": 3600, "valid-lifetime": 7200,
  "subnet6": [ { "id": 1, "subnet": "2001:db8:cafe:1::/64", "interface": "sxr0",
     "pools": [ { "pool": "2001:db8:cafe:1::1:0-2001:db8:cafe:1::ffff:ffff" } ] } ],
  "loggers": [ { "name": "kea-dhcp6", "severity": "WARN", "output_options": [ { "output": "$DIR/kea.log" } ] } ]
} }
JSON

bound() { ip netns exec $R ss -Hlun 'sport = :547' | grep -q .; }
now() { date +%s.%N; }
wait_bound() { # pid: seconds until port 547 is bound
  local t0=$1
  for _ in $(seq 1 6000); do bound && break; sleep 0.01; done
  awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'
}
rss() { awk '/VmRSS/ { printf "%d MiB", $2 / 1024 }' /proc/$1/status; }
# CPU time (user + system, all threads) the process has used: on a busy machine the wall time
# includes waiting for a CPU, this does not.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f s", ($14 + $15) / hz }' /proc/$1/stat; }
stop() {
  for p in $(ip netns pids $R); do kill -TERM "$p"; sleep 0.2; kill -TERM "$p" 2>/dev/null || true; done
  for _ in $(seq 1 200); do [ -z "$(ip netns pids $R)" ] && break; sleep 0.1; done
}

# An empty database with sixconf's schema and server DUID, then N leases added directly.
ip netns exec $R "$BIN" serve --config "$DIR/sx.toml" > "$DIR/first.log" 2>&1 &
for _ in $(seq 1 200); do bound && break; sleep 0.05; done
stop
echo "writing $N leases (SQLite and Kea CSV)..."
$PY - "$DIR/leases.sqlite" "$DIR/leases6.csv" "$N" <<'PY'
import csv, ipaddress, sqlite3, sys, time
db, kea, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
now = int(time.time())
base = int(ipaddress.IPv6Address("2001:db8:cafe:1::1:0"))
def rows():
    for i in range(n):
        duid = bytes.fromhex("00030001") + (0x020000000000 + i).to_bytes(6, "big")
        yield (base + i).to_bytes(16, "big"), duid, i
c = sqlite3.connect(db)
c.executemany(
    "INSERT INTO leases (address, prefix_len, ia_type, link, duid, iaid, preferred_until, valid_until)"
    " VALUES (?, 128, 'na', 'sxr0', ?, 1, ?, ?)",
    ((a, d, (now + 3600) * 1000, (now + 7200) * 1000) for a, d, _ in rows()))
c.commit()
c.close()
with open(kea, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow("address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,"
               "prefix_len,fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context".split(","))
    for a, d, _ in rows():
        w.writerow([str(ipaddress.IPv6Address(a)), d.hex(":"), 7200, now + 7200, 1, 3600, 0, 1,
                    128, 0, 0, "", "", 0, ""])
PY
sync
echo "sqlite: $(du -m "$DIR/leases.sqlite" | cut -f1) MiB, Kea CSV: $(du -m "$DIR/leases6.csv" | cut -f1) MiB"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)   ($(nproc) CPUs)"

# BASE=other-sixconf-binary: time it too, alternating with BIN, for a ratio from the same run.
BINS=("$BIN")
[ -n "${BASE:-}" ] && BINS+=("$BASE")
for run in $(seq 1 "${RUNS:-2}"); do
  cat "$DIR/leases.sqlite" "$DIR/leases6.csv" > /dev/null   # both files in the page cache
  for b in "${BINS[@]}"; do
  name=sixconf; [ "$b" != "$BIN" ] && name="base   "
  t0=$(now)
  ip netns exec $R "$b" serve --config "$DIR/sx.toml" > "$DIR/sx.log" 2>&1 &
  pid=$!
  up=$(wait_bound "$t0")
  line=$(grep -m1 'leases loaded' "$DIR/sx.log" || true)
  # The log's timestamp (RFC 3339, UTC) against the start time.
  ts=$(date -d "$(echo "$line" | awk '{print $1}')" +%s.%N)
  loaded=$(awk -v a="$t0" -v b="$ts" 'BEGIN { printf "%.3f", b - a }')
  echo "$name run $run: leases loaded after ${loaded} s ($(echo "$line" | grep -o 'restored=[0-9]*')), port bound after ${up} s, CPU $(cpu $pid), RSS $(rss $pid)"
  stop
  done

  [ "${NO_KEA:-0}" = 1 ] && continue
  t0=$(now)
  ip netns exec $R kea-dhcp6 -c "$DIR/kea.json" > "$DIR/kea.out" 2>&1 &
  pid=$!
  up=$(wait_bound "$t0")
  echo "kea-dhcp6 run $run: port bound after ${up} s, CPU $(cpu $pid), RSS $(rss $pid)"
  stop
  rm -f "$DIR"/leases6.csv.2 "$DIR"/leases6.csv.completed   # left by Kea's lease file cleanup
done
