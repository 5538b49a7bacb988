"""HR's drop folder: run again whenever a workbook lands or changes (outputs.md, watch).

A run starts once no relevant file has changed for ``debounce`` seconds and every
changed file's size has stayed the same across that wait — so a workbook still being
copied is not read half-way. Lock files (``~$…``), our temporary files and the results
a run writes are ignored, so a run does not trigger itself.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .read.files import WORKBOOK_SUFFIXES as _READ

WORKBOOK_SUFFIXES = tuple(sorted(_READ))  # whatever the readers read (.ods and .xlsb too)


def relevant(path: str) -> bool:
    name = os.path.basename(path)
    return (
        name.lower().endswith(WORKBOOK_SUFFIXES)
        and not name.startswith("~$")
        and not name.startswith(".kpi-results-")
        and not name.startswith("kpi-results_")
    )


class _Changes(FileSystemEventHandler):
    def __init__(self, ignore: frozenset[str] = frozenset()) -> None:
        self.ignore = ignore
        self.lock = threading.Lock()
        self.pending: dict[str, float] = {}
        self.wake = threading.Event()

    # Only changes count: inotify also reports every open and read-only close, and the
    # run itself opens each workbook to read it — reacting to those would loop forever.
    CHANGES = frozenset({"created", "modified", "moved", "deleted", "closed"})

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type not in self.CHANGES:
            return
        for path in (getattr(event, "src_path", ""), getattr(event, "dest_path", "")):
            if path and relevant(os.fsdecode(path)) and os.path.realpath(os.fsdecode(path)) not in self.ignore:
                with self.lock:
                    self.pending[os.fsdecode(path)] = time.monotonic()
                self.wake.set()

    def take_if_settled(self, debounce: float) -> list[str] | None:
        """The changed paths once all have been quiet for ``debounce`` seconds, else None."""
        with self.lock:
            if not self.pending:
                return None
            if time.monotonic() - max(self.pending.values()) < debounce:
                return None
            paths = list(self.pending)
            self.pending.clear()
            return paths


def _sizes(paths: list[str]) -> dict[str, int]:
    out = {}
    for p in paths:
        try:
            out[p] = os.stat(p).st_size
        except OSError:
            out[p] = -1
    return out


def watch_folder(
    folder: Path,
    run: Callable[[], str],
    *,
    debounce: float = 2.0,
    echo: Callable[[str], None] = print,
    stop: threading.Event | None = None,
    initial_run: bool = True,
    ignore: tuple[Path, ...] = (),
) -> None:
    """Call ``run`` after each settled change in ``folder`` until Ctrl-C (or ``stop`` is set).

    ``ignore``: paths the run itself writes (an ``-o`` result inside the folder)."""
    stop = stop or threading.Event()
    changes = _Changes(frozenset(os.path.realpath(p) for p in ignore))
    observer = Observer()
    observer.schedule(changes, str(folder), recursive=True)
    observer.start()
    try:
        if initial_run and any(relevant(p.name) for p in folder.rglob("*")):
            echo(_stamp(run()))
        while not stop.is_set():
            changes.wake.wait(timeout=0.2)
            changes.wake.clear()
            paths = changes.take_if_settled(debounce)
            if paths is None:
                continue
            before = _sizes(paths)
            time.sleep(min(debounce, 0.5))
            if _sizes(paths) != before:  # still being copied: wait for the next quiet spell
                with changes.lock:
                    for p in paths:
                        changes.pending.setdefault(p, time.monotonic())
                continue
            echo(_stamp(run()))
    except KeyboardInterrupt:
        pass
    finally:
        observer.stop()
        observer.join(timeout=5)


def _stamp(line: str) -> str:
    return time.strftime("%H:%M:%S ") + line
