#!/bin/sh
# Instructions per call of each DHCPv6 bench operation, sixconf beside dhcproto 0.15, counted by
# callgrind (valgrind): (instructions for 10000 calls - instructions for 0 calls) / 10000.
# Wall-time benches move with the machine's load; instruction counts do not.
set -eu
cd "$(dirname "$0")/.."
cargo build --release -q -p sixconf-benches --example dhcpv6_instructions
bin=target/release/examples/dhcpv6_instructions
ir() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1 |
        awk '/Collected/ {print $4}'
}
for op in sixconf_decode dhcproto_decode sixconf_build dhcproto_build; do
    base=$(ir "$op" 0)
    total=$(ir "$op" 10000)
    echo "$op $(((total - base) / 10000))"
done
