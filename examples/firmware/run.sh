#!/usr/bin/env bash
# Build the firmware (thumbv7m-none-eabi, release), print its section sizes, boot it in QEMU's
# lm3s6965evb with a timeout, and exit with the firmware's own status (0: every check held;
# 1: a mismatch or a panic; 124: timeout).
#
# Then hold the issue's budget: at most 48 KiB of flash (.vector_table + .text + .rodata +
# .data) and 16 KiB of RAM (.data + .bss + the stack high-water the firmware measures); over
# either, exit 3. FIRMWARE_BUDGET=report only prints the comparison.
# Extra arguments go to `cargo build`, e.g. `./run.sh --features invert-check` (must fail).
set -euo pipefail
cd "$(dirname "$0")"
TIMEOUT="${FIRMWARE_TIMEOUT:-120}"
FLASH_BUDGET=$((48 * 1024))
RAM_BUDGET=$((16 * 1024))

cargo build --release "$@"
ELF=target/thumbv7m-none-eabi/release/sixconf-firmware

# Section sizes from the ELF's section headers (no binutils needed); prints "flash ram_static"
# last, for the budget check below.
sizes=$(python3 - "$ELF" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:4] == b"\x7fELF" and data[4] == 1, "32-bit ELF expected"
shoff, = struct.unpack_from("<I", data, 0x20)
shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x2E)
secs = [struct.unpack_from("<IIIIII", data, shoff + i * shentsize) for i in range(shnum)]
stroff = secs[shstrndx][4]
def name(off):
    return data[stroff + off:data.index(b"\0", stroff + off)].decode()
size = {name(s[0]): s[5] for s in secs}
get = lambda n: size.get(n, 0)
flash = get(".vector_table") + get(".text") + get(".rodata") + get(".data")
ram = get(".data") + get(".bss") + get(".uninit")
print(f"sizes: .vector_table {get('.vector_table')}  .text {get('.text')}  .rodata {get('.rodata')}"
      f"  .data {get('.data')}  .bss {get('.bss')}")
print(f"flash {flash} B ({flash / 1024:.1f} KiB; goal 48 KiB), "
      f"static RAM {ram} B ({ram / 1024:.1f} KiB; goal 16 KiB with the stack, printed by the firmware)")
print(flash, ram)
PY
)
echo "$sizes" | head -n -1
read -r flash _ <<<"$(echo "$sizes" | tail -n 1)"

set +e
out=$(timeout "$TIMEOUT" qemu-system-arm -cpu cortex-m3 -machine lm3s6965evb -nographic \
  -semihosting-config enable=on,target=native -kernel "$ELF")
status=$?
set -e
echo "$out"
echo "firmware exit status: $status"
[ "$status" -eq 0 ] || exit "$status"

# Cross-check of the measured stack: frame sizes from the disassembly along the deepest call
# chain (printed only; needs llvm-objdump).
if command -v llvm-objdump >/dev/null; then
  python3 stack_bound.py "$ELF" || true
fi

# The firmware prints "RAM: <static> B static (...) + <stack> B stack high-water = <total> B".
ram=$(echo "$out" | sed -n 's/^RAM: .* = \([0-9]*\) B.*/\1/p')
over=0
echo "budget: flash $flash of $FLASH_BUDGET B, RAM ${ram:-?} of $RAM_BUDGET B"
if [ "$flash" -gt "$FLASH_BUDGET" ]; then
  echo "flash over budget by $((flash - FLASH_BUDGET)) B"
  over=1
fi
if [ -z "$ram" ] || [ "$ram" -gt "$RAM_BUDGET" ]; then
  echo "RAM over budget (or not reported)"
  over=1
fi
if [ "$over" -eq 1 ] && [ "${FIRMWARE_BUDGET:-enforce}" != report ]; then
  exit 3
fi
exit 0
