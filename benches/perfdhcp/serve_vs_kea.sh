#!/usr/bin/env bash
# Leases per second through the whole daemon: perfdhcp -6 with fresh clients (-R 100000000)
# against `sixconf serve` (durability fsync and process) and kea-dhcp6 (memfile, lease file on),
# over a veth pair between two network namespaces this script creates and removes.
#
# For every variant (plain 4-way exchange, Rapid Commit, address and prefix, relayed) the rate
# is stepped upward, the servers alternating at each step (each run on a fresh lease store),
# until a server's drops pass 2.5 % (twice in a row at that step): its leases/s is what it answered at the highest step with
# drops <= 2.5 %. Then a flood run (-r far above what anyone answers) per server. After every
# run the uniqueness of addresses is checked twice: perfdhcp -u ("non unique addresses"), and
# the lease stores (no address held by two DUIDs in `sixconf leases --json` and in Kea's CSV).
#
# Needs root, perfdhcp (Debian: kea-admin), kea-dhcp6, python3 and a release build:
#   cargo build --release -p sixconf --bin sixconf
#   sudo benches/perfdhcp/serve_vs_kea.sh                 (10 s steps; about an hour)
#   sudo QUICK=1 benches/perfdhcp/serve_vs_kea.sh         (3 s steps; about 15 minutes)
#   sudo VARIANTS="base relay" benches/perfdhcp/serve_vs_kea.sh
# Variants: base, rapid (Rapid Commit: -o 14, see run()), pd (-e address-and-prefix), relay (-A 1).
# Exit status 1 if any duplicate address was found.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-$PWD/target/release/sixconf}
PY=/usr/bin/python3
if [ "${QUICK:-0}" = 1 ]; then
  STEP=${STEP:-3}
  RATES=(${RATES:-2000 3000 4000 5000 6000 7000 8000 9000 10000 12000 14000 16000 20000})
else
  STEP=${STEP:-10}
  RATES=(${RATES:-1000 2000 3000 4000 5000 6000 7000 8000 9000 10000 11000 12000 14000 16000 18000 20000 24000 28000 32000})
fi
FLOOD=${FLOOD:-200000}
VARIANTS=(${VARIANTS:-base rapid pd relay})
SERVERS=(sx-fsync sx-process kea)
# BASE=/path/to/another/sixconf: that binary too (durability fsync), as server "base-fsync".
[ -n "${BASE:-}" ] && SERVERS=(sx-fsync base-fsync sx-process kea)
[ -n "${SERVERS_ONLY:-}" ] && SERVERS=($SERVERS_ONLY)
MAXDROP=2.5
R=sxbench-r$$ H=sxbench-h$$
RELAY=2001:db8:ffff::2   # perfdhcp's address in the relay variant: the relay's link-address
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
# RMEM_DEFAULT=BYTES: the receive buffer of sockets that do not ask for one (perfdhcp's; Kea's
# too), for the whole machine during the run (net.core.rmem_default is not per namespace);
# restored on exit.
if [ -n "${RMEM_DEFAULT:-}" ]; then
  RMEM_WAS=$(sysctl -n net.core.rmem_default) RMAX_WAS=$(sysctl -n net.core.rmem_max)
  trap 'sysctl -qw net.core.rmem_default=$RMEM_WAS net.core.rmem_max=$RMAX_WAS; cleanup' EXIT
  [ "$RMEM_DEFAULT" -gt "$RMAX_WAS" ] && sysctl -qw net.core.rmem_max="$RMEM_DEFAULT"
  sysctl -qw net.core.rmem_default="$RMEM_DEFAULT"
fi
for ns in $R $H; do
  mkdir -p /etc/netns/$ns && echo "nameserver ::1" > /etc/netns/$ns/resolv.conf
  ip netns add $ns && ip -n $ns link set lo up
done
ip link add sxr0 netns $R type veth peer name sxh0 netns $H
ip netns exec $H sysctl -qw net.ipv6.conf.sxh0.accept_ra=0
ip -n $H addr add $RELAY/64 dev sxh0 nodad
ip -n $R addr add 2001:db8:ffff::1/64 dev sxr0 nodad
ip -n $R link set sxr0 up && ip -n $H link set sxh0 up
sleep 2.5   # link-local addresses out of DAD

# Configurations: one per (server, variant). Rapid Commit, PD pools and relay matching are
# turned on in both servers for their variants only.
sx_conf() { # server durability variant
  cat <<TOML
[server]
lease_db = "$DIR/db-$1-$3/leases.sqlite"
durability = "$2"
rate_limit_per_second = 0     # perfdhcp's clients would share rate buckets
max_leases = 1500000

[[link]]
interface = "sxr0"
mode = "dhcpv6-stateful"
prefix = "2001:db8:cafe:1::/64"
dns_servers = ["2001:db8:cafe:a::e"]
pool = "2001:db8:cafe:1::1:0-2001:db8:cafe:1::ffff:ffff"
preferred_lifetime = 3600
valid_lifetime = 7200
TOML
  case $3 in
    rapid) echo 'rapid_commit = true' ;;
    pd) echo 'pd_pool = { prefix = "2001:db8:f000::/36", delegated_length = 56 }' ;;
    # perfdhcp's Relay-forward carries its own address as link-address (outside the link's
    # prefix): the link is told to accept it.
    relay) printf '\n[link.relay]\nlink_address = "%s"\n' $RELAY ;;
  esac
}
kea_conf() { # variant
  local extra=""
  case $1 in
    rapid) extra='"rapid-commit": true,' ;;
    pd) extra='"pd-pools": [ { "prefix": "2001:db8:f000::", "prefix-len": 36, "delegated-len": 56 } ],' ;;
    relay) extra="\"relay\": { \"ip-addresses\": [ \"$RELAY\" ] }," ;;
  esac
  cat <<JSON
{ "Dhcp6": {
  "interfaces-config": { "interfaces": [ "sxr0" ] },
  "lease-database": { "type": "memfile", "persist": true, "name": "$DIR/kea-$1/leases6.csv", "lfc-interval": 0 },
  "preferred-lifetime": 3600, "valid-lifetime": 7200, "renew-timer": 1800, "rebind-timer": 2880,
  "subnet6": [ { "id": 1, "subnet": "2001:db8:cafe:1::/64", "interface": "sxr0", $extra
     "pools": [ { "pool": "2001:db8:cafe:1::1:0-2001:db8:cafe:1::ffff:ffff" } ],
     "option-data": [ { "name": "dns-servers", "data": "2001:db8:cafe:a::e" } ] } ],
  "loggers": [ { "name": "kea-dhcp6", "severity": "WARN", "output_options": [ { "output": "$DIR/kea-$1/kea.log" } ] } ]
} }
JSON
}

start() { # server variant
  case $1 in
    sx-*|base-*) local d=${1#*-} bin=$BIN
          [ "${1%%-*}" = base ] && bin=$BASE
          rm -rf "$DIR/db-$1-$2" && mkdir -p "$DIR/db-$1-$2"
          sx_conf "$1" "$d" "$2" > "$DIR/$1-$2.toml"
          ip netns exec $R "$bin" serve --config "$DIR/$1-$2.toml" > "$DIR/$1-$2.log" 2>&1 & ;;
    kea)  rm -rf "$DIR/kea-$2" && mkdir -p "$DIR/kea-$2" /run/kea /var/lib/kea
          kea_conf "$2" > "$DIR/kea-$2.json"
          ip netns exec $R kea-dhcp6 -c "$DIR/kea-$2.json" > "$DIR/kea-$2.out" 2>&1 & ;;
  esac
  for _ in $(seq 1 100); do
    ip netns exec $R ss -Hlun 'sport = :547' | grep -q . && break
    sleep 0.1
  done
  sleep 0.3
}
stop() {
  for p in $(ip netns pids $R); do kill -TERM "$p" 2>/dev/null || true; done
  sleep 0.3
  for p in $(ip netns pids $R); do kill -TERM "$p" 2>/dev/null || true; done
  for _ in $(seq 1 100); do [ -z "$(ip netns pids $R)" ] && break; sleep 0.1; done
}

# Addresses (and prefixes) held by more than one DUID in the server's lease store.
store_dups() { # server variant
  case $1 in
    sx-*|base-*) "$BIN" leases --db "$DIR/db-$1-$2/leases.sqlite" --json | $PY -c '
import json, sys
held = {}
for line in sys.stdin:
    l = json.loads(line)
    held.setdefault((l["address"], l["prefix_len"]), set()).add(l["duid"])
print(sum(1 for d in held.values() if len(d) > 1), len(held))' ;;
    kea) $PY - "$DIR/kea-$2/leases6.csv" <<'PY'
import csv, sys
held = {}
with open(sys.argv[1]) as f:
    rows = csv.reader(f)
    head = next(rows)
    a, d, v, p = head.index("address"), head.index("duid"), head.index("valid_lifetime"), head.index("prefix_len")
    for r in rows:
        if int(r[v]) > 0:
            held.setdefault((r[a], r[p]), set()).add(r[d])
print(sum(1 for d in held.values() if len(d) > 1), len(held))
PY
    ;;
  esac
}

# CPU seconds (user + system, all threads) used so far by the processes in the server's
# namespace: the server alone (perfdhcp runs in the client namespace).
server_cpu() {
  local t=0 p
  for p in $(ip netns pids $R); do
    t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  awk -v t=$t -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'
}

# Datagrams a namespace's UDP sockets dropped because their receive buffer was full.
rcvbuf_errors() { ip netns exec "$1" awk '$1 == "Udp6RcvbufErrors" { print $2 }' /proc/net/snmp6; }

# One perfdhcp run; prints "leases/s drop% nonunique storedups stored servercpu" (drop% = worst exchange;
# nonunique: addresses perfdhcp -u saw twice in Replies. Advertise is not counted: an Advertise
# promises nothing, RFC 9915 §18.3.1, and sixconf does not reserve what it advertises).
run() { # server variant rate
  local out="$DIR/p-$1-$2-$3.txt" args=(-6 -R 100000000 -p "$STEP" -W 500000 -u -r "$3")
  case $2 in
    # perfdhcp 2.2.0's -c needs -i, and -i stops at the first Reply ("Packets exchange not
    # specified"). The Rapid Commit option added by hand (-o 14, : code 14, empty) in the
    # normal mode works: the Solicit's Reply arrives as an orphan of REQUEST-REPLY (no
    # Request was sent with its transaction id), and the orphans are the leases.
    rapid) args+=(-o 14,) ;;
    pd) args+=(-e address-and-prefix) ;;
    relay) args+=(-A 1) ;;
  esac
  if [ "$2" = relay ]; then args+=(-l $RELAY ff02::1:2); else args+=(-l sxh0); fi
  [ -n "${THREADS:-}" ] && args+=(-g "$THREADS")
  start "$1" "$2"
  local cpu0 cpu1
  cpu0=$(server_cpu)
  local rs0 rc0
  rs0=$(rcvbuf_errors $R) rc0=$(rcvbuf_errors $H)
  # perfdhcp's own CPU time (user + system, all its threads): the children's times of the
  # shell that waited for it.
  ip netns exec $H bash -c 'timeout "$1" perfdhcp "${@:2}"; awk -v hz="$(getconf CLK_TCK)" \
    "{ printf \"%.2f\", (\$16 + \$17) / hz }" /proc/$$/stat > "$0.cpu"' \
    "$out" $((STEP + 30)) "${args[@]}" > "$out" 2>&1 || true
  cpu1=$(server_cpu)
  echo "$(($(rcvbuf_errors $R) - rs0)) $(($(rcvbuf_errors $H) - rc0))" > "$out.rcvbuf"
  stop
  if grep -q "^ERROR" "$out"; then
    echo "error: $(grep '^ERROR' "$out" | head -1)" > "$out.err"
    echo "n/a 100 0 0 0 0 - - -"
    return
  fi
  local stats
  stats=$(awk -v step="$STEP" -v rc="$([ "$2" = rapid ] && echo 1 || echo 0)" '
    /Statistics for: SOLICIT-ADVERTISE/ { s = "SA" }
    /Statistics for: REQUEST-REPLY/ { s = "RR" }
    /^sent packets:/ { tx[s] = $3 }
    /^received packets:/ { rx[s] = $3 }
    /^orphans:/ { orph[s] = $2 }
    /^drops ratio:/ { d = $3; if (d !~ /^[0-9.]+$/) d = 100; if (d + 0 > worst) worst = d + 0 }
    /^non unique addresses:/ { nu[s] = $4 }
    END {
      if (rc) {
        # Rapid Commit: every Solicit should have its Reply (an orphan, see above).
        n = orph["RR"]; worst = tx["SA"] > 0 ? 100 * (1 - n / tx["SA"]) : 100
        if (worst < 0) worst = 0
        printf "%d %.2f %d", n / step, worst, 0
      } else printf "%d %.2f %d", rx["RR"] / step, worst, nu["RR"]
    }' "$out")
  echo "$stats $(store_dups "$1" "$2") $(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }') $(cat "$out.cpu" 2>/dev/null || echo -) $(cat "$out.rcvbuf")"
}

echo "sixconf serve vs kea-dhcp6 $(kea-dhcp6 -v), perfdhcp $(perfdhcp -v 2>&1 | awk '{print $2}'), steps of ${STEP} s"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)   ($(nproc) CPUs)"
printf '%-7s %-10s %-8s %9s %7s %7s %7s %8s %9s %8s %8s\n' variant server rate leases/s drop% nonuniq dupDUID "CPU s" "perfdhcp" "srv-ovfl" "cli-ovfl"
DUPS=0
declare -A BEST BESTDROP BESTCPU FLOODV FLOODD FLOODCPU NA
for v in "${VARIANTS[@]}"; do
  declare -A done_=()
  for rate in "${RATES[@]}"; do
    for s in "${SERVERS[@]}"; do
      [ -n "${done_[$s]:-}" ] && continue
      read -r lps drop nu dup stored cpu pcpu lost_s lost_c <<< "$(run "$s" "$v" "$rate")"
      printf '%-7s %-10s %-8s %9s %7s %7s %7s %8s %9s %8s %8s\n' "$v" "$s" "$rate" "$lps" "$drop" "$nu" "$dup" "$cpu" "$pcpu" "$lost_s" "$lost_c"
      DUPS=$((DUPS + nu + dup))
      if [ "$lps" != n/a ] && awk -v d="$drop" -v m=$MAXDROP 'BEGIN { exit !(d > m) }'; then
        # One more try before giving up on a server: the machine is shared, one short step
        # is a small sample.
        read -r lps drop nu dup stored cpu pcpu lost_s lost_c <<< "$(run "$s" "$v" "$rate")"
        printf '%-7s %-10s %-8s %9s %7s %7s %7s %8s %9s %8s %8s  (again)\n' "$v" "$s" "$rate" "$lps" "$drop" "$nu" "$dup" "$cpu" "$pcpu" "$lost_s" "$lost_c"
        DUPS=$((DUPS + nu + dup))
      fi
      if [ "$lps" = n/a ]; then NA[$s-$v]=$(cat "$DIR/p-$s-$v-$rate.txt.err"); done_[$s]=1; continue; fi
      if awk -v d="$drop" -v m=$MAXDROP 'BEGIN { exit !(d <= m) }'; then
        BEST[$s-$v]=$lps BESTDROP[$s-$v]=$drop BESTCPU[$s-$v]=$cpu
      else
        done_[$s]=1
      fi
    done
    [ ${#done_[@]} -eq ${#SERVERS[@]} ] && break
  done
  unset done_
  for s in "${SERVERS[@]}"; do
    [ -n "${NA[$s-$v]:-}" ] && continue
    read -r lps drop nu dup stored cpu pcpu lost_s lost_c <<< "$(run "$s" "$v" "$FLOOD")"
    printf '%-7s %-10s %-8s %9s %7s %7s %7s %8s %9s %8s %8s\n' "$v" "$s" "flood" "$lps" "$drop" "$nu" "$dup" "$cpu" "$pcpu" "$lost_s" "$lost_c"
    DUPS=$((DUPS + nu + dup))
    FLOODV[$s-$v]=$lps FLOODD[$s-$v]=$drop FLOODCPU[$s-$v]=$cpu
  done
done

ratio() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else printf "-" }'; }
echo
echo "leases/s at the highest step with drops <= ${MAXDROP} % (flood: leases/s and drops)"
printf '%-7s %-8s %14s %14s %14s %8s %8s\n' variant run sixconf-fsync sixconf-process kea fsync/kea proc/kea
for v in "${VARIANTS[@]}"; do
  if [ -n "${NA[sx-fsync-$v]:-}" ]; then
    printf '%-7s %-8s %s\n' "$v" "-" "not measured: perfdhcp ${NA[sx-fsync-$v]#error: }"
    continue
  fi
  f=${BEST[sx-fsync-$v]:-0} p=${BEST[sx-process-$v]:-0} k=${BEST[kea-$v]:-0}
  printf '%-7s %-8s %14s %14s %14s %8s %8s\n' "$v" stepped "$f" "$p" "$k" "$(ratio "$f" "$k")" "$(ratio "$p" "$k")"
  f=${FLOODV[sx-fsync-$v]:-0} p=${FLOODV[sx-process-$v]:-0} k=${FLOODV[kea-$v]:-0}
  printf '%-7s %-8s %14s %14s %14s %8s %8s\n' "" flood \
    "$f (${FLOODD[sx-fsync-$v]:-?}%)" "$p (${FLOODD[sx-process-$v]:-?}%)" "$k (${FLOODD[kea-$v]:-?}%)" \
    "$(ratio "$f" "$k")" "$(ratio "$p" "$k")"
  if [ -n "${BASE:-}" ]; then
    printf '%-7s base-fsync (%s): stepped %s (%s x kea, new/base %s), flood %s (%s%%, new/base %s)\n' "" "$BASE" \
      "${BEST[base-fsync-$v]:-0}" "$(ratio "${BEST[base-fsync-$v]:-0}" "${BEST[kea-$v]:-0}")" \
      "$(ratio "${BEST[sx-fsync-$v]:-0}" "${BEST[base-fsync-$v]:-0}")" "${FLOODV[base-fsync-$v]:-0}" \
      "${FLOODD[base-fsync-$v]:-?}" "$(ratio "${FLOODV[sx-fsync-$v]:-0}" "${FLOODV[base-fsync-$v]:-0}")"
  fi
done
echo
# perfdhcp shares the machine with the server: on a small machine it, not the server, can be
# what stops the rate (its own socket overflows). Leases per CPU second of the server itself
# compares the servers' cost apart from the load generator's.
echo "leases per server CPU second (leases in the run / CPU s of the server's processes)"
eff() { awk -v l="${1:-0}" -v c="${2:-0}" -v t="$STEP" 'BEGIN { if (l + 0 > 0 && c + 0 > 0) printf "%.0f", l * t / c; else printf "-" }'; }
printf '%-7s %-8s %14s %14s %14s %8s %8s\n' variant run sixconf-fsync sixconf-process kea fsync/kea proc/kea
for v in "${VARIANTS[@]}"; do
  [ -n "${NA[sx-fsync-$v]:-}" ] && continue
  f=$(eff "${BEST[sx-fsync-$v]:-0}" "${BESTCPU[sx-fsync-$v]:-0}")
  p=$(eff "${BEST[sx-process-$v]:-0}" "${BESTCPU[sx-process-$v]:-0}")
  k=$(eff "${BEST[kea-$v]:-0}" "${BESTCPU[kea-$v]:-0}")
  printf '%-7s %-8s %14s %14s %14s %8s %8s\n' "$v" stepped "$f" "$p" "$k" "$(ratio "$f" "$k")" "$(ratio "$p" "$k")"
  f=$(eff "${FLOODV[sx-fsync-$v]:-0}" "${FLOODCPU[sx-fsync-$v]:-0}")
  p=$(eff "${FLOODV[sx-process-$v]:-0}" "${FLOODCPU[sx-process-$v]:-0}")
  k=$(eff "${FLOODV[kea-$v]:-0}" "${FLOODCPU[kea-$v]:-0}")
  printf '%-7s %-8s %14s %14s %14s %8s %8s\n' "" flood "$f" "$p" "$k" "$(ratio "$f" "$k")" "$(ratio "$p" "$k")"
done
echo "duplicate addresses (perfdhcp -u and lease stores): $DUPS"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$DUPS" -eq 0 ]
