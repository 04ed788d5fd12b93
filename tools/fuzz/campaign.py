#!/usr/bin/env python3
"""A long fuzzing campaign over prebuilt cargo-fuzz binaries, rotating through the targets.

Runs JOBS fuzzers at a time (each under `nice -n 19`, so they only take idle CPU), each for a
slice of SLICE seconds, always picking the target with the least accumulated time (CPU time,
once every slice recorded has it; wall time before), until
--until (UTC, HH:MM) or until DIR/stop exists. Layout under DIR (outside the repository):

  bin/<target>          the libFuzzer binaries (replace one with `mv` to pick up a fix or a
                        new target; the next slice uses it)
  corpus/<target>/      the corpora (seed them before starting)
  artifacts/<target>/   crash / timeout / oom inputs
  logs/<target>-N.log   one log per slice
  stats.tsv             one line per finished slice: target, wall seconds, executions, corpus
                        files, exit status, crash file (if any), CPU seconds (user + system,
                        from the fuzzer's rusage; absent in lines written before it was kept)

While DIR/pause exists the running fuzzers are stopped (SIGSTOP) and no new slice starts, so
that a benchmark can have the machine; removing it resumes them (SIGCONT). libFuzzer times
units by the wall clock, so a pause can end a slice with a false timeout: every timeout is run
again alone, and one that does not reproduce is moved to artifacts/TARGET/unreproduced/ and not
counted as a crash (the same for libFuzzer's slow units).

`summary` prints the per-target totals from stats.tsv. Wall time overstates the fuzzing a
target got when the machine is busy (the fuzzers run at nice 19, or are stopped with SIGSTOP
while a benchmark runs); CPU time does not.
"""
import argparse
import datetime as dt
import os
import pathlib
import re
import signal
import subprocess
import sys
import time


def now_utc():
    return dt.datetime.now(dt.timezone.utc)


def load_stats(path):
    totals = {}
    if path.exists():
        for line in path.read_text().splitlines():
            f = line.split("\t")
            if len(f) < 6 or f[0] == "target":
                continue
            t = totals.setdefault(f[0], {"secs": 0.0, "cpu": 0.0, "cpu_known": True,
                                         "execs": 0, "slices": 0, "crashes": []})
            t["secs"] += float(f[1])
            if len(f) >= 7 and f[6]:
                t["cpu"] += float(f[6])
            else:
                t["cpu_known"] = False
            t["execs"] += int(f[2])
            t["slices"] += 1
            t["corpus"] = int(f[3])
            if f[5]:
                t["crashes"].append(f[5])
    return totals


def summary(d):
    totals = load_stats(d / "stats.tsv")
    print(f"{'target':<20} {'wall s':>8} {'CPU s':>8} {'executions':>12} {'exec/s':>8} "
          f"{'corpus':>7} crashes")
    for name in sorted(totals):
        t = totals[name]
        rate = t["execs"] / t["secs"] if t["secs"] else 0
        # "≥" when some slices predate CPU accounting: their CPU time is not counted.
        cpu = f"{t['cpu']:.0f}" if t["cpu_known"] else f">={t['cpu']:.0f}"
        print(f"{name:<20} {t['secs']:>8.0f} {cpu:>8} {t['execs']:>12} {rate:>8.0f} "
              f"{t.get('corpus', 0):>7} {len(t['crashes'])} {' '.join(t['crashes'])}")


def background():
    """Make the campaign yield the CPU to everything else on the machine.

    `nice -n 19` alone is not enough where the kernel groups tasks by session
    (sched_autogroup_enabled = 1, the default on Debian): nice then weighs a task only against
    the others of its session, and each session's group gets a fair share of the CPUs. A test
    whose PostgreSQL server runs in a session of its own (started through `su`) then competes
    with the fuzzers as an equal, and lost Reply deadlines under fuzzing. So the campaign starts
    a session of its own and gives that whole group nice 19 (best effort)."""
    try:
        os.setsid()
    except OSError:
        pass
    try:
        pathlib.Path("/proc/self/autogroup").write_text("19")
    except OSError:
        pass


def run(args):
    background()
    d = pathlib.Path(args.dir)
    (d / "logs").mkdir(parents=True, exist_ok=True)
    stats = d / "stats.tsv"
    until = None
    if args.until:
        hh, mm = map(int, args.until.split(":"))
        until = now_utc().replace(hour=hh, minute=mm, second=0, microsecond=0)
        if until < now_utc():
            until += dt.timedelta(days=1)
    running = {}  # target -> (Popen, start, log path)
    slice_no = len(stats.read_text().splitlines()) if stats.exists() else 0

    def targets():
        return sorted(p.name for p in (d / "bin").iterdir() if os.access(p, os.X_OK))

    def confirm_timeout_false(target, crash):
        # libFuzzer's timeout is wall-clock: a fuzzer stopped by a pause (SIGSTOP) for longer
        # than -timeout reports the unit it was running as a timeout when it resumes. Run the
        # unit again, alone; if it finishes well within the timeout, it was the pause, and the
        # input is moved to artifacts/TARGET/unreproduced/ instead of being counted.
        try:
            r = subprocess.run([str(d / "bin" / target), crash, "-timeout=10"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        except subprocess.TimeoutExpired:
            return False
        if r.returncode != 0:
            return False
        dest = d / "artifacts" / target / "unreproduced"
        dest.mkdir(parents=True, exist_ok=True)
        os.replace(crash, dest / os.path.basename(crash))
        print(f"{now_utc():%H:%M:%S} {target}: timeout not reproduced (a pause), "
              f"input moved to {dest}", flush=True)
        return True

    def finish(target, proc, start, log, cpu):
        secs = time.monotonic() - start
        text = log.read_text(errors="replace")
        m = re.search(r"stat::number_of_executed_units:\s*(\d+)", text)
        execs = int(m.group(1)) if m else 0
        crash = ""
        for unit in re.findall(r"Test unit written to (\S+)", text):
            # A slow unit does not stop libFuzzer; like a timeout it is checked again alone.
            if ("/timeout-" in unit or "/slow-unit-" in unit) and \
                    confirm_timeout_false(target, unit):
                continue
            crash = unit
        corpus = len(list((d / "corpus" / target).iterdir()))
        with stats.open("a") as f:
            f.write(f"{target}\t{secs:.0f}\t{execs}\t{corpus}\t{proc.returncode}\t{crash}"
                    f"\t{cpu:.0f}\n")
        print(f"{now_utc():%H:%M:%S} {target}: {secs:.0f} s ({cpu:.0f} s CPU), {execs} execs, "
              f"corpus {corpus}, rc {proc.returncode} {crash}", flush=True)

    paused = False
    while True:
        want_pause = (d / "pause").exists()
        if want_pause != paused:
            for proc, _, _ in running.values():
                try:
                    os.kill(proc.pid, signal.SIGSTOP if want_pause else signal.SIGCONT)
                except ProcessLookupError:
                    pass
            paused = want_pause
            print(f"{now_utc():%H:%M:%S} {'paused' if paused else 'resumed'}", flush=True)
        if paused:
            time.sleep(1)
            continue
        for target, (proc, start, log) in list(running.items()):
            # wait4 rather than poll: it also returns the fuzzer's rusage (nice is exec'd
            # in place, so the child is the fuzzer itself).
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid != 0:
                proc.returncode = os.waitstatus_to_exitcode(status)
                finish(target, proc, start, log, usage.ru_utime + usage.ru_stime)
                del running[target]
        stop = (d / "stop").exists() or (until is not None and now_utc() >= until)
        if stop:
            if not running:
                break
            time.sleep(2)
            continue
        totals = load_stats(stats)
        idle = [t for t in targets() if t not in running]
        while idle and len(running) < args.jobs:
            # Least fuzzing first: by CPU time once every slice of every target has it (wall
            # time counts the pauses), by wall time before.
            by_cpu = all(t.get("cpu_known", True) for t in totals.values())
            idle.sort(key=lambda t: totals.get(t, {}).get("cpu" if by_cpu else "secs", 0.0))
            target = idle.pop(0)
            secs = args.slice
            if until is not None:
                secs = min(secs, int((until - now_utc()).total_seconds()))
            if secs < 10:
                break
            for sub in ("corpus", "artifacts"):
                (d / sub / target).mkdir(parents=True, exist_ok=True)
            slice_no += 1
            log = d / "logs" / f"{target}-{slice_no}.log"
            cmd = ["nice", "-n", "19", str(d / "bin" / target), str(d / "corpus" / target),
                   f"-artifact_prefix={d / 'artifacts' / target}/",
                   f"-max_total_time={secs}", "-print_final_stats=1", "-timeout=10",
                   "-rss_limit_mb=1024"]
            proc = subprocess.Popen(cmd, stdout=log.open("w"), stderr=subprocess.STDOUT)
            running[target] = (proc, time.monotonic(), log)
        time.sleep(2)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["run", "summary"])
    p.add_argument("--dir", required=True)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--slice", type=int, default=300)
    p.add_argument("--until", help="UTC HH:MM")
    args = p.parse_args()
    if args.command == "summary":
        summary(pathlib.Path(args.dir))
    else:
        run(args)


if __name__ == "__main__":
    sys.exit(main())
