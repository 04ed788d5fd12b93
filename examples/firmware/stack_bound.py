#!/usr/bin/env python3
"""Static bound of the firmware's stack: each function's frame from its disassembly (registers
pushed and `sub sp`), summed along the deepest chain of direct calls (`bl`) from the entry.
Cross-checks the painted high-water mark the firmware prints, which cannot see a frame's
bottom bytes that are reserved but never written. Not followed: indirect calls (there are none
on the measured paths) and recursion (cut). Usage: stack_bound.py ELF [ENTRY_SUBSTRING]."""
import re
import subprocess
import sys

elf = sys.argv[1]
entry = sys.argv[2] if len(sys.argv) > 2 else "__cortex_m_rt_main"
dis = subprocess.run(["llvm-objdump", "-d", "-C", "--no-show-raw-insn", elf],
                     capture_output=True, text=True, check=True).stdout
frames, calls, names = {}, {}, {}
cur = None
for line in dis.splitlines():
    m = re.match(r"^([0-9a-f]+) <(.*)>:", line)
    if m:
        if not m.group(2).startswith("$"):  # mapping symbols ($t, $d) are not functions
            cur = m.group(2)
            names[int(m.group(1), 16)] = cur
            frames.setdefault(cur, 0)
            calls.setdefault(cur, set())
        continue
    if cur is None:
        continue
    m = re.search(r"\bpush(?:\.w)?\s+\{([^}]*)\}", line)
    if m:
        frames[cur] += 4 * len(m.group(1).split(","))
    m = re.search(r"\bsub(?:\.w|w)?\s+sp, (?:sp, )?#(0x[0-9a-f]+|\d+)", line)
    if m:
        frames[cur] += int(m.group(1), 0)
    m = re.search(r"\bblx?\s+0x([0-9a-f]+)", line)
    if m:
        calls[cur].add(int(m.group(1), 16))

memo = {}


def deepest(f, path=()):
    if f in path:
        return 0, []
    if f in memo:
        return memo[f]
    best = (0, [])
    for a in calls.get(f, ()):
        g = names.get(a)
        if g is not None:
            d = deepest(g, path + (f,))
            if d[0] > best[0]:
                best = d
    r = (frames.get(f, 0) + best[0], [(f, frames.get(f, 0))] + best[1])
    memo[f] = r
    return r


roots = [n for n in frames if entry in n and "trampoline" not in n]
if not roots:
    sys.exit(f"no function matching {entry}")
total, chain = deepest(roots[0])


def short(name):
    name = re.sub(r"::h[0-9a-f]{16}$", "", name)
    for a, b in (("$LT$", "<"), ("$GT$", ">"), ("$C$", ","), ("$u20$", " ")):
        name = name.replace(a, b)
    name = re.sub(r"<[^<>]*>", "", re.sub(r"<[^<>]*>", "", name))  # generics, two levels
    return "::".join(name.split("::")[-2:])


print(f"static stack bound: {total} B:", " > ".join(f"{short(n)} {s}" for n, s in chain))
