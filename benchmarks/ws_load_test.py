"""Load test with lightweight websocket clients: N sessions speak Streamlit's own protocol (no browser).

Usage: ``python benchmarks/ws_load_test.py [--sessions 20] [--seconds 120] [--json] [--out FILE] [--db FILE]
[--url URL [--server-pid PID]] [--timeout 60] [--think 0] [--seed 10]``

``benchmarks/load_test.py`` drives real Chromium tabs; on a small machine the browsers then take most of the
CPU and the result measures them as much as the server. This variant replaces each browser by a websocket
client of a few kilobytes that sends what the Streamlit frontend sends and reads what the server answers:

1. Database and server as in ``load_test.py`` (its helpers are imported): a seeded demo DuckDB in a temporary
   folder (or a copy of ``--db``), ``streamlit run app.py`` on a free port with ``TKM_TODAY=2026-11-29``.
   With ``--url`` an already running server is used (``--server-pid`` to sample its CPU and memory).
2. Protocol (streamlit 1.67, ``web/server/starlette/starlette_websocket.py`` and ``runtime/app_session.py``):
   a websocket to ``ws://HOST:PORT/_stcore/stream`` with subprotocol ``streamlit`` (the second and third
   subprotocol entries, XSRF token and session id to resume, are only needed for the auth cookie and for
   reconnects; no ``Origin`` header is sent, which the server allows). Every rerun is a binary ``BackMsg``
   with ``rerun_script`` = ``ClientState`` (query string, widget states, page script hash, context info);
   the server answers with ``ForwardMsg``\\ s: ``new_session`` at the start of every script run (also after
   ``st.rerun()``), ``navigation`` (pages with their ``page_script_hash``), ``page_info_changed`` (the query
   string the page set), ``delta`` (elements; widgets carry their ``id``, label and options) and
   ``script_finished``. A rerun is timed from sending the ``BackMsg`` until ``script_finished`` with status
   ``FINISHED_SUCCESSFULLY`` (``FINISHED_EARLY_FOR_RERUN`` marks an ``st.rerun()``/``st.switch_page`` and the
   run continues).
3. Each session logs in through the login form (the two text inputs and the form's submit button, found by
   label; demo accounts round robin over zvh, bestuur, gemeente-huizen, analist), then until the time is up
   visits the pages Overzicht, KPI-bord, Instroom en uitstroom, Recidive and Verkenning (a fresh random order
   per round, switched by ``page_script_hash`` like a click in the menu) and on every page changes one widget
   (KPI-bord: quarter or table period; Instroom: event or grain; Recidive: the Kaplan-Meier split; Verkenning:
   measure, rows or start year) or, one time in four, a sidebar filter (period: one of 7 calendar periods;
   gemeenten: none, one or two, or the gemeente's own/whole-region choice). By default the next interaction
   starts as soon as the page is there (no think time: far more than 20 people clicking); ``--think S`` waits
   0.5–1.5 × S seconds before each one.
4. Errors: an ``exception`` element, a closed connection, a rerun that does not finish within ``--timeout``
   seconds, an error box (``st.error``; "U heeft geen toegang" counts as ``no access``), the wrong page
   (page hash or title missing), an empty page (no chart, table or metric and no ``st.info`` saying there is
   nothing to show; such "empty states" are counted apart), a widget that is not there, and a failed login.
   Timed-out reruns are not in the percentiles; ``p95_with_timeouts`` counts them at the timeout.
5. Prints a table and JSON: ``{sessions, seconds, reruns, errors, error_kinds, p50, p95, max, per_page,
   per_interaction, server: {cpu_percent_mean/max, rss_mib_max, threads_max}, client, machine}`` (seconds).

Not part of the test suite (takes minutes); ``tests/bench/test_ws_load_smoke.py`` runs 2 sessions for 8 s.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import load_test  # noqa: E402  (make_db, start_server, _pct, machine)
import websockets  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402

from data_access.policy import PAGES as PAGE_TITLES  # noqa: E402
from data_access.users import DEMO_ACCOUNTS  # noqa: E402

TODAY = load_test.TODAY
ACCOUNTS = ("zvh", "bestuur", "gemeente-huizen", "analist")
PAGES = ("overzicht", "kpibord", "instroom", "recidive", "verkenning")
#: Widgets changed per page (label, element type); the sidebar filters are added on every page.
PAGE_WIDGETS: dict[str, tuple[tuple[str, str], ...]] = {
    "overzicht": (),
    "kpibord": (("Kwartaal", "selectbox"), ("Tabel per gemeente over", "radio")),
    "instroom": (("Gebeurtenis", "button_group"), ("Per", "radio")),
    "recidive": (("Uitsplitsen naar", "button_group"),),
    "verkenning": (("Maat", "selectbox"), ("Rijen", "selectbox"), ("Van jaar", "selectbox")),
}
SIDEBAR_WIDGETS = (("Periode", "date_input"), ("Gemeenten", "multiselect"), ("Gemeenten", "radio"))
#: Elements that show data: every page run must have at least one (else "empty page").
CONTENT_ELEMENTS = {"metric", "dataframe", "table", "plotly_chart", "vega_lite_chart", "deck_gl_json_chart",
                    "graphviz_chart", "echarts_chart", "arrow_data_frame"}
NO_ACCESS = "geen toegang"
#: Sidebar periods a session picks from (calendar years, two years, the whole period): a fixed menu, so that
#: the sessions share cached results as real users picking "last year" would.
PERIODS = tuple((f"{y}-01-01", min(f"{y}-12-31", TODAY)) for y in range(2022, 2027)) + (
    ("2025-01-01", TODAY), ("2019-01-01", TODAY))
DONE = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)
CONTEXT = {"timezone": "Europe/Amsterdam", "timezone_offset": -60, "locale": "nl-NL", "color_scheme": "light"}


class RerunTimeout(Exception):
    """A rerun did not finish within the timeout."""


@dataclass
class Run:
    """What one rerun (BackMsg → final ``script_finished``) brought: elements, widgets, problems."""

    seconds: float = 0.0
    page_hash: str = ""
    status: int = -1
    elements: dict[str, int] = field(default_factory=dict)  # element type -> count
    widgets: dict[tuple[str, str], object] = field(default_factory=dict)  # (label, type) -> element proto
    headings: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    error_boxes: list[str] = field(default_factory=list)
    infos: list[str] = field(default_factory=list)  # st.info boxes (the pages' "nothing to show" message)
    refs: int = 0  # ForwardMsgs sent by reference (cached); should not happen without cached hashes
    messages: int = 0
    nbytes: int = 0

    @property
    def content(self) -> int:
        """Number of data elements (charts, tables, metrics)."""
        return sum(n for k, n in self.elements.items() if k in CONTENT_ELEMENTS)


class Stats:
    """Timings and error counts of all sessions."""

    def __init__(self):
        self.times: dict[str, list[float]] = {}  # interaction label -> seconds
        self.page_times: dict[str, list[float]] = {}  # page title -> seconds of every rerun on it
        self.attempts: dict[str, int] = {}  # page title -> reruns sent
        self.errors: dict[str, int] = {}
        self.empty_states: dict[str, int] = {}  # page title -> runs that showed the page's empty-state message
        self.timeouts: list[float] = []  # the timeout of every rerun that did not finish in time
        self.samples: list[str] = []
        self.logins: list[float] = []
        self.login_users: list[str] = []
        self.messages = 0
        self.nbytes = 0

    def add(self, page: str, label: str, run: Run) -> None:
        """Record a finished rerun."""
        self.times.setdefault(label, []).append(run.seconds)
        self.page_times.setdefault(page, []).append(run.seconds)
        self.messages += run.messages
        self.nbytes += run.nbytes

    def error(self, kind: str, sample: str | None = None) -> None:
        """Count an error of this kind (and keep the first few texts)."""
        self.errors[kind] = self.errors.get(kind, 0) + 1
        if sample and len(self.samples) < 8:
            self.samples.append(f"{kind}: {sample[:500]}")


def _element_label(el) -> str:
    return getattr(el, "label", "")


def _options(kind: str, el) -> list[str]:
    if kind == "button_group":
        return [o.content for o in el.options]
    return list(getattr(el, "options", []))


class Client:
    """One session: a websocket that behaves like the Streamlit frontend for the interactions used here."""

    def __init__(self, url: str, idx: int, stats: Stats, rng: random.Random, timeout: float, think: float = 0.0):
        self.base = url.rstrip("/")
        self.think = think  # mean pause between interactions (0 = none: the next click as soon as the page is there)
        self.ws_url = self.base.replace("http://", "ws://").replace("https://", "wss://") + "/_stcore/stream"
        self.idx, self.stats, self.rng, self.timeout = idx, stats, rng, timeout
        self.user = ACCOUNTS[idx % len(ACCOUNTS)]
        self.ws = None
        self.query_string = ""
        self.page_hashes: dict[str, str] = {}  # page title -> page_script_hash (from the navigation message)
        self.values: dict[str, WidgetState] = {}  # widget id -> last value sent (the frontend's widget state)
        self.last = Run()
        self.current = "overzicht"
        self.alive = True

    async def connect(self) -> None:
        """Open the websocket (subprotocol ``streamlit``; no pings: browsers send none either)."""
        self.ws = await websockets.connect(self.ws_url, subprotocols=["streamlit"], max_size=None,
                                           ping_interval=None, open_timeout=self.timeout, compression=None)

    async def close(self) -> None:
        """Close the websocket (the server then ends the session)."""
        if self.ws is not None:
            await self.ws.close()

    def _back_msg(self, page_hash: str, widgets: list[WidgetState], query_string: str) -> bytes:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = query_string
        cs.page_script_hash = page_hash
        for w in widgets:
            cs.widget_states.widgets.add().CopyFrom(w)
        for k, v in CONTEXT.items():
            setattr(cs.context_info, k, v)
        title = next((t for t, h in self.page_hashes.items() if h == page_hash), "")
        key = next((k for k, t in PAGE_TITLES.items() if t == title), "")
        cs.context_info.url = f"{self.base}/{'' if key == 'overzicht' else key}" + (f"?{query_string}" if query_string else "")
        return msg.SerializeToString()

    async def _read_run(self, run: Run) -> Run:
        """Read ForwardMsgs until the final ``script_finished`` of this rerun."""
        while True:
            raw = await self.ws.recv()
            run.messages += 1
            run.nbytes += len(raw)
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            kind = fm.WhichOneof("type")
            if kind == "new_session":  # a (re)started script run: only the last run's elements count
                run.elements.clear(), run.widgets.clear(), run.headings.clear(), run.error_boxes.clear(), run.infos.clear()
            elif kind == "navigation":  # st.navigation decides the page: its hash is the page shown
                run.page_hash = fm.navigation.page_script_hash
                self.page_hashes = {p.page_name: p.page_script_hash for p in fm.navigation.app_pages if not p.is_hidden}
            elif kind == "page_info_changed":
                self.query_string = fm.page_info_changed.query_string
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el_kind = fm.delta.new_element.WhichOneof("type")
                el = getattr(fm.delta.new_element, el_kind)
                run.elements[el_kind] = run.elements.get(el_kind, 0) + 1
                if getattr(el, "id", "") and _element_label(el):
                    run.widgets[(_element_label(el), el_kind)] = el
                if el_kind == "heading":
                    run.headings.append(el.body)
                elif el_kind == "exception":
                    run.exceptions.append(f"{el.type}: {el.message}")
                elif el_kind == "alert" and el.format == el.ERROR:
                    run.error_boxes.append(el.body)
                elif el_kind == "alert" and el.format == el.INFO:
                    run.infos.append(el.body)
            elif kind is None and fm.ref_hash:
                run.refs += 1
            elif kind == "script_finished" and fm.script_finished in DONE:
                run.status = fm.script_finished
                return run

    async def rerun(self, page_hash: str, changed: list[WidgetState] | None = None,
                    query_string: str | None = None) -> Run:
        """Send one rerun request and wait for its end; raises :class:`RerunTimeout` or ``ConnectionClosed``.

        Like the frontend, every rerun carries the current value of every widget of the previous run that
        this client has set (``changed`` updates them first); trigger values (buttons) are sent once."""
        changed = changed or []
        for w in changed:
            if not w.HasField("trigger_value"):
                self.values[w.id] = w
        mounted = {getattr(el, "id", "") for el in self.last.widgets.values()} - {w.id for w in changed}
        states = [w for i, w in self.values.items() if i in mounted] + changed
        payload = self._back_msg(page_hash, states, self.query_string if query_string is None else query_string)
        run = Run()
        start = time.perf_counter()
        await self.ws.send(payload)
        try:
            await asyncio.wait_for(self._read_run(run), self.timeout)
        except asyncio.TimeoutError:
            # let the run end (not timed) so that the session can go on; give up after twice the timeout
            try:
                await asyncio.wait_for(self._read_run(run), 2 * self.timeout)
                self.last = run
            except asyncio.TimeoutError:
                self.alive = False
            raise RerunTimeout(f"> {self.timeout:.0f} s") from None
        run.seconds = time.perf_counter() - start
        self.last = run
        return run

    async def login(self) -> bool:
        """First run (the login page), then submit the login form; True when the menu shows Overzicht."""
        passwords = {u: pw for u, pw, _, _ in DEMO_ACCOUNTS}
        start = time.perf_counter()
        try:
            await self.connect()
            first = await self.rerun("")
            fields = {label: first.widgets.get((label, kind)) for label, kind in
                      (("Gebruikersnaam", "text_input"), ("Wachtwoord", "text_input"), ("Inloggen", "button"))}
            if not all(fields.values()):
                self.stats.error("login: form not found", ", ".join(sorted(lbl for lbl, _ in first.widgets)))
                return False
            run = await self.rerun("", [
                WidgetState(id=fields["Gebruikersnaam"].id, string_value=self.user),
                WidgetState(id=fields["Wachtwoord"].id, string_value=passwords[self.user]),
                WidgetState(id=fields["Inloggen"].id, trigger_value=True)])
        except RerunTimeout:
            self.stats.error("login: timeout")
            return False
        except (OSError, websockets.ConnectionClosed, websockets.InvalidHandshake) as exc:
            self.stats.error("login: disconnect", f"{type(exc).__name__}: {exc}")
            return False
        overview = self.page_hashes.get(PAGE_TITLES["overzicht"])
        if run.exceptions or run.error_boxes or not overview or run.page_hash != overview:
            self.stats.error("login: failed", "; ".join(run.exceptions + run.error_boxes) or f"page {run.page_hash}")
            return False
        self.stats.logins.append(time.perf_counter() - start)
        self.stats.login_users.append(self.user)
        self.current = "overzicht"
        return True

    def _change(self, label: str, kind: str) -> WidgetState | None:
        """A new value for a widget of the last run (a different option where possible), or None if absent."""
        el = self.last.widgets.get((label, kind))
        if el is None:
            return None
        rng, old = self.rng, self.values.get(el.id)
        if kind == "date_input":
            start, end = rng.choice(PERIODS)
            return WidgetState(id=el.id, string_array_value={"data": [start, end]})
        options = _options(kind, el)
        if kind == "multiselect":
            chosen = rng.sample(options, k=rng.choice((0, 1, 1, 2))) if options else []
            return WidgetState(id=el.id, string_array_value={"data": chosen})
        if old is not None:
            current = list(old.string_array_value.data)[:1] if kind == "button_group" else [old.string_value]
        elif kind == "button_group":
            current = [options[i] for i in el.default]
        elif getattr(el, "set_value", False) or getattr(el, "raw_value", ""):
            current = [el.raw_value]
        else:
            current = [options[el.default]] if options and 0 <= el.default < len(options) else []
        choices = [o for o in options if o not in current] or options
        if not choices:
            return None
        pick = rng.choice(choices[:12])  # the recent quarters / years, as a user would
        if kind == "button_group":
            return WidgetState(id=el.id, string_array_value={"data": [pick]})
        return WidgetState(id=el.id, string_value=pick)

    def _check(self, page: str, label: str, run: Run) -> None:
        """Count the functional errors of a finished rerun on ``page``."""
        title = PAGE_TITLES[page]
        for text in run.exceptions:
            self.stats.error(f"exception: {label}", text)
        for body in run.error_boxes:
            self.stats.error(f"{'no access' if NO_ACCESS in body.lower() else 'error box'}: {title}", body)
        if run.page_hash != self.page_hashes.get(title) or title not in run.headings:
            self.stats.error(f"wrong page: {title}", f"hash {run.page_hash}, headings {run.headings[:4]}")
        if not run.content and run.infos:  # the page says there is nothing to show (e.g. a small gemeente, one year)
            self.stats.empty_states[title] = self.stats.empty_states.get(title, 0) + 1
        elif not run.content:
            self.stats.error(f"empty page: {title}", f"elements {run.elements}")
        if run.refs:
            self.stats.error("cached reference", f"{run.refs} ForwardMsgs by reference")

    async def _step(self, page: str, label: str, changed: list[WidgetState] | None, query_string: str | None) -> bool:
        if self.think:
            await asyncio.sleep(self.think * self.rng.uniform(0.5, 1.5))
        title = PAGE_TITLES[page]
        self.stats.attempts[title] = self.stats.attempts.get(title, 0) + 1
        try:
            run = await self.rerun(self.page_hashes[title], changed, query_string)
        except RerunTimeout:
            self.stats.error(f"timeout: {label}")
            self.stats.timeouts.append(self.timeout)
            return self.alive
        self.stats.add(title, label, run)
        self._check(page, label, run)
        return True

    async def session(self, until: float) -> None:
        """Visit the pages in a random order per round and change one widget on each, until ``until``."""
        queue: list[str] = []
        try:
            while time.perf_counter() < until and self.alive:
                if not queue:  # a new round: every page once, in a random order, not the current page first
                    queue = self.rng.sample(PAGES, len(PAGES))
                    if queue[0] == self.current:
                        queue.append(queue.pop(0))
                page = queue.pop(0)
                title = PAGE_TITLES[page]
                # a click in the menu: another page, without the old page's query string
                if not await self._step(page, title, None, ""):
                    return
                self.current = page
                if time.perf_counter() >= until:
                    break
                candidates = [w for w in PAGE_WIDGETS[page] if w in self.last.widgets]
                sidebar = [w for w in SIDEBAR_WIDGETS if w in self.last.widgets]
                if not candidates or self.rng.random() < 0.25:
                    candidates = sidebar
                missing = [w for w in PAGE_WIDGETS[page] if w not in self.last.widgets]
                for label, _ in missing:
                    self.stats.error(f"widget missing: {title}: {label}")
                if not candidates:
                    continue
                label, kind = self.rng.choice(candidates)
                new = self._change(label, kind)
                if new is None:
                    continue
                if not await self._step(page, f"{title}: {label}", [new], None):
                    return
        except websockets.ConnectionClosed as exc:
            self.stats.error("disconnect", f"{exc}")
        finally:
            await self.close()


class ServerSampler:
    """Samples CPU% (all threads; 100% = one core) and RSS of a process from /proc once a second."""

    def __init__(self, pid: int | None):
        self.pid, self.cpu, self.rss, self.threads, self.load = pid, [], [], [], []
        self.ticks = os.sysconf("SC_CLK_TCK")

    def _read(self) -> tuple[float, float, int]:
        stat = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        cpu = (int(stat[11]) + int(stat[12])) / self.ticks  # utime + stime (fields 14 and 15)
        rss = threads = 0
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
        return cpu, rss, threads

    async def run(self, stop: asyncio.Event) -> None:
        """Sample until ``stop`` is set."""
        prev = None
        while not stop.is_set():
            self.load.append(os.getloadavg()[0])
            if self.pid:
                try:
                    cpu, rss, threads = self._read()
                    now = time.perf_counter()
                    if prev:
                        self.cpu.append(100 * (cpu - prev[0]) / (now - prev[1]))
                    prev = (cpu, now)
                    self.rss.append(rss)
                    self.threads.append(threads)
                except (OSError, IndexError, ValueError):
                    self.pid = None
            try:
                await asyncio.wait_for(stop.wait(), 1.0)
            except asyncio.TimeoutError:
                pass

    def summary(self) -> dict:
        """Mean and max CPU%, max and last RSS (MiB), max threads, 1-minute load average (min/mean/max)."""
        r = lambda x: round(x, 1)  # noqa: E731
        out = {"pid": self.pid, "samples": len(self.cpu)}
        if self.cpu:
            out.update(cpu_percent_mean=r(sum(self.cpu) / len(self.cpu)), cpu_percent_p95=r(load_test._pct(self.cpu, 0.95)),
                       cpu_percent_max=r(max(self.cpu)))
        if self.rss:
            out.update(rss_mib_max=r(max(self.rss)), rss_mib_last=r(self.rss[-1]), threads_max=max(self.threads))
        if self.load:
            out["load_average_1m"] = {"min": r(min(self.load)), "mean": r(sum(self.load) / len(self.load)),
                                      "max": r(max(self.load))}
        return out


async def run(url: str, sessions: int, seconds: float, seed: int, timeout: float,
              server_pid: int | None, think: float = 0.0) -> tuple[Stats, float, dict, dict]:
    """Log ``sessions`` clients in (concurrently), then let them work for ``seconds``; returns the stats,
    the elapsed seconds of the working phase, the server samples and the client's own CPU use."""
    stats = Stats()
    sampler, stop = ServerSampler(server_pid), asyncio.Event()
    sampling = asyncio.create_task(sampler.run(stop))
    clients = [Client(url, i, stats, random.Random(seed + i), timeout, think) for i in range(sessions)]
    t_login = time.perf_counter()
    ok = await asyncio.gather(*(c.login() for c in clients))
    login_seconds = time.perf_counter() - t_login
    active = [c for c, good in zip(clients, ok) if good]
    for c in clients:
        if c not in active:
            await c.close()
    cpu0, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    sampler.cpu.clear(), sampler.rss.clear(), sampler.threads.clear(), sampler.load.clear()  # the working phase only
    await asyncio.gather(*(c.session(start + seconds) for c in active))
    elapsed = time.perf_counter() - start
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    stop.set()
    await sampling
    client = {"cpu_percent": round(100 * (cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime) / elapsed, 1),
              "login_phase_seconds": round(login_seconds, 1)}
    return stats, elapsed, sampler.summary(), client


def summarise(stats: Stats, sessions: int, seconds: float, elapsed: float, server: dict, client: dict,
              think: float = 0.0) -> dict:
    """The result as a JSON-able dict (times in seconds)."""
    pct = load_test._pct
    all_times = [t for ts in stats.times.values() for t in ts]
    r = lambda x: round(x, 3)  # noqa: E731

    def block(v: list[float]) -> dict:
        return {"reruns": len(v), "p50": r(pct(v, 0.5)), "p95": r(pct(v, 0.95)), "max": r(max(v))} if v else {"reruns": 0}

    per_page = {t: {"attempts": stats.attempts.get(t, 0), **block(stats.page_times.get(t, []))}
                for t in sorted(set(stats.attempts) | set(stats.page_times))}
    return {
        "kind": "websocket", "sessions": sessions, "seconds": seconds, "think_seconds": think, "elapsed_seconds": r(elapsed),
        "logins": len(stats.logins), "login_users": sorted(set(stats.login_users)),
        "login_p95": r(pct(stats.logins, 0.95)) if stats.logins else None,
        "reruns": len(all_times), "reruns_per_second": r(len(all_times) / elapsed) if elapsed else None,
        "errors": sum(stats.errors.values()), "error_kinds": dict(sorted(stats.errors.items())),
        "error_samples": stats.samples,
        "p50": r(pct(all_times, 0.5)) if all_times else None, "p95": r(pct(all_times, 0.95)) if all_times else None,
        "max": r(max(all_times)) if all_times else None,
        # the timed-out reruns counted at the timeout (a lower bound): the p95 a user would have seen
        "p95_with_timeouts": r(pct(all_times + stats.timeouts, 0.95)) if all_times else None,
        "empty_states": dict(sorted(stats.empty_states.items())),
        "per_page": per_page,
        "per_interaction": {k: block(v) for k, v in sorted(stats.times.items())},
        "messages": stats.messages, "mib_received": round(stats.nbytes / 2**20, 1),
        "server": server, "client": client, "machine": load_test.machine(),
    }


def print_table(res: dict, file=sys.stdout) -> None:
    """Dutch/English table of the result."""
    p = lambda *a: print(*a, file=file)  # noqa: E731
    p(f"{'pagina / interactie':<42} {'reruns':>7} {'p50 s':>7} {'p95 s':>7} {'max s':>7}")
    for name, v in list(res["per_page"].items()) + [("", None)] + list(res["per_interaction"].items()):
        if v is None:
            p("-" * 74)
        elif v["reruns"]:
            p(f"{name:<42} {v['reruns']:>7} {v['p50']:>7.2f} {v['p95']:>7.2f} {v['max']:>7.2f}")
        else:
            p(f"{name:<42} {0:>7}")
    p(f"{'totaal / total':<42} {res['reruns']:>7} {res['p50'] or 0:>7.2f} {res['p95'] or 0:>7.2f} {res['max'] or 0:>7.2f}")
    s, m = res["server"], res["machine"]
    p(f"sessies/sessions {res['sessions']}, {res['seconds']} s, denktijd/think {res['think_seconds']} s; ingelogd/logged in {res['logins']} (p95 "
      f"{res['login_p95']} s); reruns/s {res['reruns_per_second']}; p95 incl. time-outs {res['p95_with_timeouts']} s")
    p(f"fouten/errors {res['errors']} {res['error_kinds'] or ''}; lege-toestand/empty state {res['empty_states'] or 0}")
    p(f"server: CPU {s.get('cpu_percent_mean', '?')}% gemiddeld/mean, {s.get('cpu_percent_max', '?')}% max "
      f"(100% = 1 core), RSS max {s.get('rss_mib_max', '?')} MiB, threads max {s.get('threads_max', '?')}; "
      f"client CPU {res['client']['cpu_percent']}%; load average 1m {s.get('load_average_1m')}; "
      f"machine {m['cpus']} cores, {m['memory_gib']} GiB")


def main(argv: list[str] | None = None) -> dict:
    """Command line entry point; returns the result dict."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--timeout", type=float, default=60, help="seconds before a rerun counts as timed out")
    ap.add_argument("--json", action="store_true", help="print the JSON on stdout (the table goes to stderr)")
    ap.add_argument("--out", type=Path, help="write the JSON here")
    ap.add_argument("--db", type=Path, help="a seeded demo DuckDB to copy (default: generate one)")
    ap.add_argument("--url", help="use a running server instead of starting one")
    ap.add_argument("--server-pid", type=int, help="with --url: the server's process id (CPU and memory)")
    ap.add_argument("--think", type=float, default=0.0,
                    help="mean pause in seconds before each interaction (default 0: no pause, the worst case)")
    ap.add_argument("--seed", type=int, default=10)
    args = ap.parse_args(argv)
    os.environ.setdefault("TKM_PSEUDONYM_KEY", "loadtest-sleutel-alleen-voor-synthetische-gegevens")
    proc = None
    with tempfile.TemporaryDirectory(prefix="tkm-wsload-") as tmp:
        url, pid = args.url, args.server_pid
        if not url:
            proc, url = load_test.start_server(load_test.make_db(Path(tmp), args.db))
            pid = proc.pid
        try:
            stats, elapsed, server, client = asyncio.run(
                run(url, args.sessions, args.seconds, args.seed, args.timeout, pid, args.think))
        finally:
            if proc:
                proc.terminate()
                proc.wait(timeout=30)
    res = summarise(stats, args.sessions, args.seconds, elapsed, server, client, args.think)
    print_table(res, sys.stderr if args.json else sys.stdout)
    text = json.dumps(res, indent=1, ensure_ascii=False)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    if args.json:
        print(text)
    return res


if __name__ == "__main__":
    main()
