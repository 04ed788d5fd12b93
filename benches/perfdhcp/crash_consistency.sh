#!/usr/bin/env bash
# Crash consistency of `sixconf serve` (durability = "fsync"): under perfdhcp load (fresh
# clients), the daemon is killed with SIGKILL at random moments KILLS times (default 20) and
# restarted each time on the same lease database. tcpdump in the client namespace records every
# DHCPv6 message that reached the client. At the end, every address in a captured Reply (IA_NA /
# IA_ADDR with a valid lifetime and no error status) must be in the store (`sixconf leases
# --json`) with the DUID of the client the Reply was sent to, and no address may be held by two
# clients, neither in the store nor across Replies. Exit status 1 on any violation.
#
# Needs root, perfdhcp (Debian: kea-admin), tcpdump, python3 and a release build:
#   cargo build --release -p sixconf --bin sixconf
#   sudo benches/perfdhcp/crash_consistency.sh            (about 1 minute)
#   sudo KILLS=50 RATE=3000 benches/perfdhcp/crash_consistency.sh
#   sudo KILLS=2 BREAK=3 benches/perfdhcp/crash_consistency.sh   (control: deletes 3 stored
#                                    leases before the check, which must then fail: missing 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-$PWD/target/release/sixconf}
PY=/usr/bin/python3
KILLS=${KILLS:-20}
RATE=${RATE:-2000}
R=sxcrash-r$$ H=sxcrash-h$$
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

cat > "$DIR/sx.toml" <<TOML
[server]
lease_db = "$DIR/leases.sqlite"
durability = "fsync"
rate_limit_per_second = 0
max_leases = 1000000

[[link]]
interface = "sxr0"
mode = "dhcpv6-stateful"
prefix = "2001:db8:cafe:1::/64"
pool = "2001:db8:cafe:1::1:0-2001:db8:cafe:1::ffff:ffff"
preferred_lifetime = 3600
valid_lifetime = 7200
TOML

SERVE=
start() {
  ip netns exec $R "$BIN" serve --config "$DIR/sx.toml" >> "$DIR/serve.log" 2>&1 &
  SERVE=$!
  for _ in $(seq 1 100); do
    ip netns exec $R ss -Hlun 'sport = :547' | grep -q . && return
    sleep 0.05
  done
  echo "sixconf serve did not start; its log:" >&2
  tail "$DIR/serve.log" >&2
  exit 1
}

ip netns exec $H tcpdump -i sxh0 -B 65536 -U -s 0 -w "$DIR/client.pcap" 'udp src port 547 and dst port 546' 2> "$DIR/tcpdump.err" &
TCPDUMP=$!
sleep 1
start
DURATION=$((KILLS * 3 + 10))
ip netns exec $H perfdhcp -6 -l sxh0 -r "$RATE" -R 100000000 -p $DURATION > "$DIR/perfdhcp.txt" 2>&1 &
PERF=$!
for i in $(seq 1 "$KILLS"); do
  # A random moment 0.2 to 2.7 s after the daemon came up.
  sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.3f", 0.2 + 2.5 * r / 32768 }')"
  kill -KILL "$SERVE"
  wait "$SERVE" 2>/dev/null || true
  start
done
sleep 1
kill -INT "$PERF" 2>/dev/null || true
wait "$PERF" 2>/dev/null || true
sleep 0.5
kill -KILL "$SERVE"; wait "$SERVE" 2>/dev/null || true
sleep 2   # tcpdump drains what it has not written yet
kill -INT "$TCPDUMP"; wait "$TCPDUMP" 2>/dev/null || true

"$BIN" decode --pcap "$DIR/client.pcap" --json > "$DIR/client.json" 2> "$DIR/decode.err" || true
if [ "${BREAK:-0}" -gt 0 ]; then
  # Control: lose BREAK stored leases on purpose; the check below must report them missing.
  $PY -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("DELETE FROM leases WHERE address IN (SELECT address FROM leases ORDER BY random() LIMIT ?)", (int(sys.argv[2]),)); c.commit()' "$DIR/leases.sqlite" "$BREAK"
  echo "BREAK=$BREAK: $BREAK stored leases deleted before the check"
fi
"$BIN" leases --db "$DIR/leases.sqlite" --json > "$DIR/leases.json"
echo "sixconf serve killed with SIGKILL and restarted $KILLS times under perfdhcp -r $RATE (fresh clients)"
echo "daemon starts: $(grep -c 'leases loaded' "$DIR/serve.log"), restored at the last start: $(grep 'leases loaded' "$DIR/serve.log" | tail -1 | sed 's/.*restored=\([0-9]*\).*/\1/')"
echo "perfdhcp: $(grep -A2 'REQUEST-REPLY' "$DIR/perfdhcp.txt" | grep 'received packets' || echo '?') (Replies to Requests)"
echo "tcpdump: $(grep -E 'captured|received by filter|dropped by kernel' "$DIR/tcpdump.err" | paste -sd, -)"
$PY - "$DIR/client.json" "$DIR/leases.json" <<'PY'
import json, sys

def opts(o, name):
    return [x for x in o.get("options", []) if x.get("name") == name]

replies = promised = 0
promise = {}          # address -> set of client DUIDs whose Reply carried it
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m.get("msg_type") != "reply":
        continue
    replies += 1
    cid = opts(m, "clientid")
    if not cid:
        continue
    duid = cid[0]["duid"]["raw"].replace(":", "").lower()
    for ia in opts(m, "ia-na"):
        if any(s.get("status_code", 0) != 0 for s in opts(ia, "status-code")):
            continue
        for a in opts(ia, "iaaddr"):
            if a.get("valid_lifetime", 0) == 0:
                continue
            if any(s.get("status_code", 0) != 0 for s in opts(a, "status-code")):
                continue
            promised += 1
            promise.setdefault(a["address"], set()).add(duid)

store = {}
store_dups = 0
for line in open(sys.argv[2]):
    l = json.loads(line)
    if l["type"] != "NA":
        continue
    d = l["duid"].replace(":", "").lower()
    if l["address"] in store and store[l["address"]] != d:
        store_dups += 1
    store[l["address"]] = d

missing = [a for a in promise if a not in store]
wrong = [a for a, ds in promise.items() if a in store and store[a] not in ds]
reply_dups = [a for a, ds in promise.items() if len(ds) > 1]
print(f"replies seen {replies}, addresses promised {promised} ({len(promise)} distinct), "
      f"leases checked {len(promise)}, leases in store {len(store)}")
print(f"missing {len(missing)}, held by another DUID {len(wrong)}, "
      f"duplicates in store {store_dups}, addresses replied to two clients {len(reply_dups)}")
for a in (missing + wrong + reply_dups)[:10]:
    print("  violation:", a, sorted(promise[a]), store.get(a))
if replies == 0:
    print("no Reply captured: the test did not run")
    sys.exit(1)
sys.exit(1 if missing or wrong or store_dups or reply_dups else 0)
PY
