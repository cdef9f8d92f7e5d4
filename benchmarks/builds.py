"""Builds of the app to benchmark side by side: this checkout, and other revisions in their own venvs.

Another revision is checked out with ``git worktree add`` into a folder outside the repository
(``$TMPDIR/kiosk-ui-builds/<commit>``) and gets its own venv there; both are reused by the next run
(a ``.bench-ready`` marker says the install finished). The app is started with that folder as its
working directory, because ``python -m kiosk_ui.cli`` imports from the working directory first.

Also: the CPU time of the Chromium processes a benchmark started (from ``/proc``, Linux only).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Build:
    name: str
    python: str
    cwd: Path


def current_build() -> Build:
    return Build("this", sys.executable, REPO)


def git(*args: str, cwd: Path = REPO) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def revision_build(rev: str) -> Build:
    """``rev`` checked out and installed in its own venv (made once, reused afterwards)."""
    commit = git("rev-parse", "--verify", f"{rev}^{{commit}}")
    root = Path(tempfile.gettempdir()) / "kiosk-ui-builds" / commit[:12]
    if not (root / ".git").exists():
        git("worktree", "prune")  # a folder removed by hand leaves its registration behind
        root.parent.mkdir(parents=True, exist_ok=True)
        git("worktree", "add", "--detach", str(root), commit)
    python = root / ".venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    ready = root / ".venv" / ".bench-ready"
    if not ready.exists():
        print(f"installing {rev} ({commit[:12]}) into {root / '.venv'} ...", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(root / ".venv")], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-e", str(root)], check=True)
        ready.write_text(commit)
    return Build(f"{rev}", str(python), root)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(parent, []).append(int(entry.name))
    return tree


def chromium_cpu_seconds(root: int | None = None) -> float:
    """User + system CPU seconds of the live Chromium processes descending from ``root`` (default: us)."""
    tree = _children()
    todo, total = [root or os.getpid()], 0.0
    while todo:
        pid = todo.pop()
        todo += tree.get(pid, [])
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        if "chrom" in name.lower():
            fields = stat.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"
