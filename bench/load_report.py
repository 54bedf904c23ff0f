"""The load test's figures: what one run measured (:class:`Result`) and the table it prints."""

from __future__ import annotations

import os
import statistics
from dataclasses import dataclass, field

from bench.load_session import DELTAS, OMEGAS


@dataclass
class Result:
    sessions: int
    seconds: float
    opened: int = 0
    alive: int = 0
    moves: list[int] = field(default_factory=list)  # per session
    presses: int = 0
    switches: int = 0
    latencies: list[float] = field(default_factory=list)
    pressed_at: list[float] = field(default_factory=list)  # per move: its key press, in seconds of moving
    moving_since: float = 0.0  # perf_counter when the sessions began moving
    # the server's part of the reruns that showed numbers while the sessions moved, by its own clock
    # (bench/server_clock.py): (seconds from the rerun request to the numbers, request in seconds of moving)
    server_answers: list[tuple[float, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    compared: int = 0  # (session, session) pairs at one setting whose numbers were compared
    upload: str | None = None  # the dataset session 0 uploaded
    isolation_checks: int = 0  # dataset selectors read by the other sessions after that upload
    upload_recoveries: list[str] = field(default_factory=list)  # the page's state when the upload stalled
    rss: list[tuple[float, int]] = field(default_factory=list)  # (seconds since start, bytes)
    run_start: float = 0.0  # when the sessions began moving, on the rss clock
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)  # the load average at the end
    load_start: tuple[float, float, float] = (0.0, 0.0, 0.0)  # ... and before the server started
    open_seconds: float = 0.0
    cpu_server: float = 0.0  # CPU seconds while the sessions moved: the streamlit server
    cpu_browser: float = 0.0  # ... and Chromium with the Playwright driver
    moves_held: int = 0  # moves of all sessions while the CPU was counted (the final moves excluded)
    nice: int = 0  # the niceness asked for the clients
    idle: bool = False  # ... and whether they were asked to run under SCHED_IDLE
    # niceness -> threads seen with it when the sessions started moving: the server's, the clients'
    server_nices: dict[int, int] = field(default_factory=dict)
    client_nices: dict[int, int] = field(default_factory=dict)
    server_policies: dict[str, int] = field(default_factory=dict)  # scheduling policy -> threads
    client_policies: dict[str, int] = field(default_factory=dict)

    @property
    def cpu_per_move(self) -> float:
        """The server's CPU seconds per move while the sessions moved."""
        return self.cpu_server / self.moves_held if self.moves_held else float("nan")

    @property
    def peak_rss(self) -> int:
        return max((b for _, b in self.rss), default=0)

    @property
    def final_rss(self) -> int:
        return self.rss[-1][1] if self.rss else 0

    def rss_every(self, step: float) -> list[int]:
        """The RSS samples ``step`` seconds apart, from the first sample on."""
        out, nxt = [], 0.0
        for t, b in self.rss:
            if t >= nxt:
                out.append(b)
                nxt += step
        return out

    def rss_growth_last(self, window: float = 30.0) -> int:
        """Peak RSS of the last ``window`` seconds minus the peak before it (bytes; < 0 is fine)."""
        if not self.rss:
            return 0
        end = self.rss[-1][0]
        before = [b for t, b in self.rss if t < end - window]
        last = [b for t, b in self.rss if t >= end - window]
        return max(last) - max(before) if before else 0




def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[max(0, min(len(xs) - 1, round(q / 100 * (len(xs) - 1))))] if xs else float("nan")


def by_window(values: list[float], at: list[float], step: float = 20.0) -> str:
    """The p95 of ``values`` per ``step`` seconds of moving (``at``: when each began): the sessions all
    make their first move at once, so the first window holds that burst."""
    out = []
    for k in range(int(max(at, default=-1.0) // step) + 1):
        xs = [v for v, t in zip(values, at) if k * step <= t < (k + 1) * step]
        out.append(f"{pct(xs, 95):.1f}" if xs else "-")
    return " ".join(out) + " s"


def server_part(res: Result) -> str:
    """Median / p95 of the server's part of a move, by its own clock."""
    xs = [s for s, _ in res.server_answers]
    return f"{statistics.median(xs) * 1000:.0f} / {pct(xs, 95) * 1000:.0f} ms" if xs else "n/a"


def niceness(res: Result) -> str:
    def seen(d: dict[int, int]) -> str:
        return ", ".join(f"{n} ({k} threads)" for n, k in sorted(d.items())) or "none seen"

    return (f"clients asked {res.nice}{' and SCHED_IDLE' if res.idle else ''}; seen: "
            f"server {seen(res.server_nices)} {res.server_policies}; "
            f"clients {seen(res.client_nices)} {res.client_policies}")


def box() -> str:
    return f"ω {OMEGAS} × δ {[f'{d:.2f}' for d in DELTAS]}".replace("'", "")


def summary(res: Result) -> str:
    """One line for quoting: the run, the server's CPU per move, latency, memory, errors."""
    mb = 1 / 2**20
    lat = res.latencies or [float("nan")]
    return (f"SUMMARY {res.opened}/{res.sessions} sessions, {res.seconds:.0f} s, {res.moves_held} moves: "
            f"server {res.cpu_per_move:.3f} CPU-s/move ({res.cpu_server:.1f} s), move p95 {pct(lat, 95) * 1000:.0f} ms "
            f"(median {statistics.median(lat) * 1000:.0f} ms; server's part {server_part(res)}), "
            f"server RSS peak {res.peak_rss * mb:.0f} MB, "
            f"errors {len(res.errors)}; clients nice {res.nice}{', SCHED_IDLE' if res.idle else ''}; box {box()}; "
            f"load avg {res.load_start[0]:.2f} -> {res.load[0]:.2f} on {os.cpu_count()} CPUs")


def table(res: Result) -> str:
    mb = 1 / 2**20
    lat = res.latencies or [float("nan")]
    rows = [
        ("sessions opened / alive at end", f"{res.opened} / {res.alive} of {res.sessions}"),
        ("seconds held", f"{res.seconds:.0f} (opening took {res.open_seconds:.1f} s)"),
        ("slider moves (key presses)", f"{sum(res.moves)} ({res.presses})"),
        ("moves per session min / max", f"{min(res.moves, default=0)} / {max(res.moves, default=0)}"),
        ("page switches", f"{res.switches}"),
        ("errors", f"{len(res.errors)}"),
        ("same-setting comparisons", f"{res.compared}"),
        ("upload by session 0", f"{res.upload}"),
        ("its isolation checks by the others", f"{res.isolation_checks}"),
        ("upload recoveries (stalled > 60 s)", f"{len(res.upload_recoveries)}"),
        ("move -> numbers shown, median", f"{statistics.median(lat) * 1000:.0f} ms"),
        ("move -> numbers shown, p95", f"{pct(lat, 95) * 1000:.0f} ms"),
        ("move -> numbers shown, max", f"{max(lat) * 1000:.0f} ms"),
        ("move p95 per 20 s of moving", by_window(res.latencies, res.pressed_at)),
        ("server's part: request -> numbers, median / p95", f"{server_part(res)} ({len(res.server_answers)} reruns)"),
        ("server's part p95 per 20 s of moving", by_window(*zip(*res.server_answers)) if res.server_answers else "n/a"),
        ("server RSS peak / final", f"{res.peak_rss * mb:.0f} / {res.final_rss * mb:.0f} MB"),
        ("RSS growth, last 30 s", f"{res.rss_growth_last() * mb:+.0f} MB"),
        ("RSS every 15 s from the start", " ".join(f"{b * mb:.0f}" for b in res.rss_every(15.0)) + " MB"),
        ("CPU s while held: server / browser", f"{res.cpu_server:.0f} / {res.cpu_browser:.0f}"),
        ("moves while held (CPU counted)", f"{res.moves_held}"),
        ("server CPU s per move", f"{res.cpu_per_move:.3f}"),
        ("settings box the sessions move in", box()),
        ("niceness of the threads", niceness(res)),
        ("load average 1/5/15 min: start / end", f"{' '.join(f'{x:.2f}' for x in res.load_start)} / "
                                                  f"{' '.join(f'{x:.2f}' for x in res.load)}"),
    ]
    w = max(len(k) for k, _ in rows)
    return "\n".join([f"{k:<{w}}  {v}" for k, v in rows] + [f"ERROR {e}" for e in res.errors[:50]]
                     + [f"UPLOAD STALLED {r}" for r in res.upload_recoveries])
