"""Running ``assessqa`` as a fresh process and measuring it: wall time, its own peak memory, and the peak memory of
its whole process tree (worker processes, Spark's JVM). Shared by score_speed.py, batch_memory.py and
batch_engines.py, so all three measure a process the same way.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

# torch, transformers and datasets made unimportable, as on a server installed without the train extra.
BLOCK_TRAIN_EXTRA = (
    "import sys\n"
    "class _Absent:\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name.split('.')[0] in ('torch', 'transformers', 'datasets'):\n"
    "            raise ModuleNotFoundError(name)\n"
    "sys.meta_path.insert(0, _Absent())\n"
)

# The process's own peak RSS, printed at exit. VmHWM rather than getrusage's ru_maxrss: on Linux a process
# started by fork and exec inherits its parent's peak in ru_maxrss, so a benchmark that has loaded a model itself
# would report its own size for every process it starts (the figures before this fix did).
_PEAK_AT_EXIT = (
    "import atexit\n"
    "def _peak():\n"
    "    import resource, sys\n"
    "    try:\n"
    "        kb = int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM:')).split()[1])\n"
    "    except (OSError, StopIteration):\n"
    "        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "    print('RSS', kb, file=sys.stderr)\n"
    "atexit.register(_peak)\n"
)


def tree_rss_mb(root: int) -> float:
    """Resident memory of ``root`` and every process below it, from /proc (Linux; 0 elsewhere)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            parents[int(entry.name)] = int(fields[1])
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(rss.get(pid, 0) for pid in tree) / 2**20


def run_cli(argv: list[str], runtime_only: bool = False, sample_tree: bool = False) -> dict[str, float]:
    """``assessqa *argv`` as a fresh process (``runtime_only``: without the train extra importable): wall time to
    exit, its own peak RSS and (``sample_tree``) the peak RSS of its process tree, sampled every 0.2 s."""
    code = (
        (BLOCK_TRAIN_EXTRA if runtime_only else "import sys\n")
        + _PEAK_AT_EXIT
        + "from assessqa import cli\n"
        + f"sys.argv = ['assessqa', *{argv!r}]\n"
        + "cli.main()\n"
    )
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak_tree = 0.0
    if sample_tree:
        while process.poll() is None:
            peak_tree = max(peak_tree, tree_rss_mb(process.pid))
            time.sleep(0.2)
    stderr = process.communicate()[1]
    wall = time.perf_counter() - start
    own = next((line.split()[1] for line in stderr.splitlines() if line.startswith("RSS ")), "nan")
    out = {"wall_s": wall, "peak_rss_mb": float(own) / 1024, "exit": process.returncode}
    if sample_tree:
        out["peak_tree_rss_mb"] = peak_tree
    return out
