"""CPU time of the processes a benchmark drives, read from Linux's /proc: the API server
and its workers, and the PostgreSQL backends serving one database. Clock ticks (10 ms), so
only sums over many calls mean something."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def seconds(pids: list[int]) -> float:
    """User and system CPU time so far of ``pids``, in seconds (a process gone counts 0)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_seconds(pid: int) -> float:
    """CPU time so far of ``pid`` and its children (a server and its workers), in seconds."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    return seconds(pids)


def postgres_seconds(database_url: str) -> float:
    """CPU time so far of the PostgreSQL backends connected to the database of
    ``database_url`` (same machine), in seconds; 0 for any other engine. A backend that ended
    takes its time with it: compare across a span in which the connections stay open."""
    if not database_url.startswith("postgres"):
        return 0.0
    name = database_url.rsplit("/", 1)[1].split("?", 1)[0]
    pids = subprocess.run(["pgrep", "-f", f"postgres: .* {name} "], capture_output=True,
                          text=True).stdout.split()
    return seconds([int(p) for p in pids])


def machine_seconds() -> tuple[float, float]:
    """The whole machine's CPU time so far, busy and in all (every core, from ``/proc/stat``),
    in seconds: over a span, busy ÷ all is how much of the cores were at work."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    # user nice system idle iowait irq softirq steal (guest time is inside user already)
    idle = fields[3] + fields[4]
    total = sum(fields[:8])
    tick = os.sysconf("SC_CLK_TCK")
    return (total - idle) / tick, total / tick
