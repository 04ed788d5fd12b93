#!/bin/sh
# Run a command (a benchmark) with a fuzz campaign paused: `tools/fuzz/quiet.sh DIR cmd args...`.
# Takes an exclusive lock (DIR/quiet.lock), so benchmarks run one at a time, creates DIR/pause
# (campaign.py stops its fuzzers within a second), runs the command, then resumes the campaign.
# The command is killed after QUIET_MAX seconds (default 1500), so that a hung benchmark cannot
# hold the lock and the pause for ever.
set -eu
dir=$1
shift
exec 9>"$dir/quiet.lock"
flock 9
touch "$dir/pause"
trap 'rm -f "$dir/pause"' EXIT INT TERM
sleep 2
timeout -k 10 "${QUIET_MAX:-1500}" "$@"
