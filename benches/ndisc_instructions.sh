#!/bin/sh
# Instructions per call of each ndisc bench operation, sixconf beside smoltcp, counted by
# callgrind (valgrind): (instructions for 10000 calls - instructions for 0 calls) / 10000.
# Wall-time benches move with the machine's load; instruction counts do not.
set -eu
cd "$(dirname "$0")/.."
cargo build --release -q -p sixconf-benches --example ndisc_instructions
bin=target/release/examples/ndisc_instructions
ir() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1 |
        awk '/Collected/ {print $4}'
}
for op in sixconf_decode sixconf_decode_like_smoltcp smoltcp_decode sixconf_verify \
    smoltcp_verify sixconf_emit72 smoltcp_emit72 sixconf_emit144; do
    base=$(ir "$op" 0)
    total=$(ir "$op" 10000)
    echo "$op $(((total - base) / 10000))"
done
