#!/bin/sh
# `sixconf serve` against kea-dhcp6 under perfdhcp (issue 9): leases/s of both servers and their
# ratio, stepped and flood, per variant. The script and its settings (QUICK, STEP, RATES, FLOOD,
# VARIANTS, KEEP) are in benches/perfdhcp/; see benches/perfdhcp/README.md. Needs root.
exec "$(dirname "$0")/perfdhcp/serve_vs_kea.sh" "$@"
