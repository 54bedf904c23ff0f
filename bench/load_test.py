"""Load test: concurrent browser sessions moving ω and δ and switching pages on one real server.

Starts ``streamlit run dashboard/app.py`` on a free loopback port (through ``bench.server_clock``,
which times the server's part of each move by its own clock) and opens N sessions (one Chromium, one
browser context each, so one Streamlit session each); a session is open once its numbers are shown
and its layout charts drawn. For ``--seconds`` every session keeps jumping ω or δ to a seeded
random value inside a small box (so values are revisited and the shared cache is hit), sometimes
switching between the Translate and Method pages. A move's latency
runs from the last key press to the page showing the numbers for the new setting. Any exception or
error element, console error, page error, crash or websocket close in any session is an error.
Session 0 first uploads a small dataset (cut from a shipped one) on the Upload page and then moves
on it; the other sessions check, now and then and at the end, that their dataset selector never
offers it. Meanwhile the server's RSS (its process tree, from ``/proc``) is sampled every 0.5 s,
and its CPU seconds (utime + stime, from ``/proc``) are read when the sessions start and stop
moving: divided by the moves of all sessions in that time, the server's CPU seconds per move (page
switches and session 0's upload cost CPU too but are not counted as moves).

The clients (this script's driving thread, the Playwright driver and the Chromium it launches, all
inheriting it) run at a niceness raised by ``--nice`` (default 10 here, 0 from :func:`run_load`) and
may not lower it (Chromium run as root would), so the server, started before at its own niceness,
keeps its cores; with ``--idle`` they run under SCHED_IDLE too, on CPU time the server leaves. The
niceness and policy seen on the server's and the clients' threads are printed. The last line is a
one-line summary, for quoting.

    python -m bench.load_test [--sessions 10 --seconds 120 --seed 0 --nice 10 --idle]

The issue's scenario is ``--sessions 20 --seconds 120``: 20 sessions moving over the few settings
a class would share (``OMEGAS`` × ``DELTAS``, at most 5 × 5 around the defaults; printed).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from bench import server_clock
from bench.browser import CHROMIUM, CHROMIUM_ARGS, start_app, stop_app
from bench.load_report import Result, summary, table
from bench.load_session import Session
from bench.procfs import RssSampler, _niced, thread_nices, thread_policies, tree, tree_cpu
from dashboard import defaults


async def _drive(res: Result, base: str, n: int, seconds: float, seed: int, upload: str, mark) -> None:
    from playwright.async_api import async_playwright

    seen: dict = {}
    sessions = [Session(i, res, seen, seed, upload if i == 0 else None) for i in range(n)]
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            t0 = time.perf_counter()
            opened = await asyncio.gather(*(s.open(browser, base) for s in sessions), return_exceptions=True)
            res.open_seconds = time.perf_counter() - t0
            for s, r in zip(sessions, opened):
                if isinstance(r, Exception):
                    s.error(f"did not open: {str(r)[:200]}")
            live = [s for s, r in zip(sessions, opened) if not isinstance(r, Exception)]
            res.opened = len(live)
            mark("start")
            res.moving_since = time.perf_counter()
            deadline = res.moving_since + seconds
            ran = await asyncio.gather(*(s.run(deadline) for s in live), return_exceptions=True)
            res.moves_held = sum(s.moves for s in live)
            mark("end")
            for s, r in zip(live, ran):
                if isinstance(r, Exception):
                    s.error(f"stopped while {s.doing}: {str(r)[:200]} ({await s.describe()})")
            alive = await asyncio.gather(*(s.final() for s in live))
            res.alive = sum(alive)
            res.moves = [s.moves for s in sessions]
        finally:
            for s in sessions:
                s.closing = True
            await browser.close()


def upload_file(folder: Path, n: int = 300) -> str:
    """A small valid upload: two spaces of the shipped default dataset (n test items each), labels."""
    import numpy as np

    from irp_core.cache import load_dataset

    ds = load_dataset(defaults.DATASET)
    a, b = ds.encoders[:2]
    path = folder / "load_upload.npz"
    np.savez(path, **{a: ds.space(a).test[:n], b: ds.space(b).test[:n]}, labels=ds.space(a).test_labels[:n])
    return str(path)




def run_load(sessions: int = 10, seconds: float = 120.0, seed: int = 0, nice: int = 0,
             idle: bool = False) -> Result:
    """Start the app, hold ``sessions`` browser sessions for ``seconds``, stop; the figures.

    The clients run at niceness raised by ``nice``, under SCHED_IDLE with ``idle`` (see
    :func:`_niced`); the server is started before, from the caller's thread, at its own."""
    res = Result(sessions=sessions, seconds=seconds, nice=nice, idle=idle, load_start=os.getloadavg())
    clock = tempfile.NamedTemporaryFile(prefix="irp-server-clock-", suffix=".txt", delete=False)  # noqa: SIM115
    clock.close()
    proc, base, _ = start_app(module="bench.server_clock", extra_env={server_clock.ENV: clock.name})
    sampler = RssSampler(proc.pid, res.rss)
    sampler.start()
    cpu = {}

    def mark(phase: str) -> None:
        """Note the time and the CPU seconds of server and browser (with this driver) so far."""
        cpu[phase] = (tree_cpu(proc.pid), tree_cpu(os.getpid(), skip=(proc.pid,)))
        if phase == "start":
            res.run_start = time.perf_counter() - sampler.t0
            server = set(tree(proc.pid))
            clients = set(tree(os.getpid())) - server - {os.getpid()}
            res.server_nices, res.client_nices = thread_nices(server), thread_nices(clients)
            res.server_policies, res.client_policies = thread_policies(server), thread_policies(clients)

    try:
        with tempfile.TemporaryDirectory() as tmp:
            up = upload_file(Path(tmp))
            _niced(nice, lambda: asyncio.run(_drive(res, base, sessions, seconds, seed, up, mark)), idle)
        if "end" in cpu:
            res.cpu_server, res.cpu_browser = (b - a for a, b in zip(cpu["start"], cpu["end"]))
        res.load = os.getloadavg()
    finally:
        sampler.stop.set()
        sampler.join()
        if proc.poll() is not None:
            res.errors.append(f"server exited with code {proc.returncode}")
        stop_app(proc)
        res.server_answers = [(seconds, at - res.moving_since) for seconds, at in server_clock.read(clock.name)
                              if res.moving_since and at >= res.moving_since]
        os.unlink(clock.name)
    return res




def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=120.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--nice", type=int, default=10,
                    help="niceness added to the clients (Playwright driver, Chromium), not the server (default 10)")
    ap.add_argument("--idle", action="store_true",
                    help="the clients under SCHED_IDLE too: they run only on CPU time the server leaves")
    args = ap.parse_args()
    res = run_load(args.sessions, args.seconds, args.seed, args.nice, args.idle)
    print(table(res))
    print(summary(res))
    sys.exit(1 if res.errors else 0)


if __name__ == "__main__":
    main()
