"""A progress bar on stderr for the command line's long runs: tqdm when it is installed, else a plain one."""

from __future__ import annotations

import importlib.util
import sys
import time


class Progress:
    """``update(n)`` after each unit of work; ``close()`` at the end. Writes to stderr only."""

    def __init__(self, total: int, desc: str, unit: str = "it", initial: int = 0, stream=None) -> None:
        self.total, self.done, self.desc, self.unit = total, initial, desc, unit
        self.stream = stream or sys.stderr
        self._bar = None
        if importlib.util.find_spec("tqdm") is not None:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=desc, unit=unit, initial=initial, file=self.stream,
                             dynamic_ncols=True, mininterval=0.5)
        self._last = 0.0

    def update(self, n: int = 1) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
            return
        now = time.monotonic()
        if now - self._last >= 0.5 or self.done >= self.total:
            self._last = now
            pct = 100.0 * self.done / self.total if self.total else 100.0
            print(f"\r{self.desc}: {self.done}/{self.total} {self.unit} ({pct:.0f} %)", end="", file=self.stream,
                  flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        else:
            print(file=self.stream, flush=True)
