"""Where the machine's CPU went during a measurement (Linux /proc): the web server, the sync worker,
PostgreSQL, the load generator itself and everything else, in cores. On a shared 2-core machine
this says how quiet it was better than the load average alone."""
import os
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _process_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo += [int(child) for child in task.read_text().split()]
            except FileNotFoundError:
                pass
    return found


def _postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().startswith("postgres"):
                    pids.append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError):
                pass
    return pids


@dataclass(frozen=True)
class CpuSample:
    machine_busy: int
    machine_total: int
    groups: dict[str, int]


def sample(roots: dict[str, int]) -> CpuSample:
    """CPU ticks so far of each process tree in `roots` (name → pid), of PostgreSQL and of this process."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    groups = {name: sum(_process_ticks(pid) for pid in _descendants(root)) for name, root in roots.items()}
    groups["postgres"] = sum(_process_ticks(pid) for pid in _postgres_pids())
    groups["generator"] = _process_ticks(os.getpid())
    return CpuSample(sum(values) - idle, sum(values), groups)


def cores_used(before: CpuSample, after: CpuSample, seconds: float) -> dict[str, float]:
    """Cores each group used between the samples, plus `other` (the rest of the machine) and `idle`."""
    used = {name: (after.groups[name] - before.groups.get(name, 0)) / TICKS / seconds for name in after.groups}
    busy = (after.machine_busy - before.machine_busy) / TICKS / seconds
    total = (after.machine_total - before.machine_total) / TICKS / seconds
    used["other"] = max(0.0, busy - sum(used.values()))
    used["idle"] = max(0.0, total - busy)
    return used
