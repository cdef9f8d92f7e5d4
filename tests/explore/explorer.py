"""Breadth-first exploration of every interleaving of a bounded event alphabet: the engine model (model.py, in
one reading), a channel that drops, reconnects and may deliver a status built before the latest command, timers,
a journal that may fail, and the customer, composed with the app's payment machine through adapter.py.

After every step it checks the issue-19 properties (see :func:`violations`); a state that breaks one is a
counterexample, reported with the shortest event sequence that reaches it, and not explored further.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from kiosk_ui.payments.readings import DEFAULT_READING, Reading

from . import adapter
from .model import Engine, Frame, Sale

#: a journal row: (payment id, outcome, (credit, change paid), method, engine sale no linked at open or -1)
Row = tuple[str, str, tuple[Decimal, Decimal], str, int]
CHARGED = {"completed": True, "cancelled": False, "declined": False, "failed": False}


@dataclass(frozen=True)
class Bounds:
    """The alphabet's budget: how many of each thing may happen in one run."""

    sales: int = 1
    methods: tuple[str, ...] = ("cash", "card")
    due: Decimal = Decimal(35)
    pieces: tuple[Decimal, ...] = (Decimal(20), Decimal(50))
    inserts: int = 2
    others: int = 1  # sales of another engine client
    #: its Due: not ours by default (a status names no client: another sale of our Due while ours starts is
    #: indistinguishable from our acknowledgement, for any app)
    other_due: Decimal = Decimal(40)
    refills: int = 0
    drops: int = 1
    stale: int = 1  # statuses built before the latest command, delivered after it
    journal_failures: int = 0
    #: timers may fire while frames or commands are in flight (an engine slower than our timeouts)
    slow_engine: bool = True


@dataclass(frozen=True)
class World:
    engine: Engine
    to_app: tuple[Frame, ...] = ()
    #: commands on their way: (kind, Due, payment id, informed, the engine sales the app had heard charging when it
    #: wrote it)
    to_engine: tuple[tuple[str, Decimal, str, bool, frozenset[int]], ...] = ()
    #: what the app last heard: (charging, Due) from the last status or updateCredit delivered
    heard: tuple[bool, Decimal] = (False, Decimal(0))
    #: the engine sale the last frame delivered described while charging (-1: none): a sale the machine adopts
    #: from its engine view (not on a frame) is that one
    heard_sale: int = -1
    #: adopted payment id → the engine sale the frame that made the machine adopt it described
    links: tuple[tuple[str, int], ...] = ()
    #: engine sales the app heard charging (a status or updateCredit about them reached it)
    observed: frozenset[int] = frozenset()
    effects: tuple[tuple[adapter.Action, ...], ...] = ()
    rows: tuple[Row, ...] = ()
    timers: tuple[tuple[str, str], ...] = ()
    cancelled: frozenset[str] = frozenset()
    connected: bool = True
    started: int = 0
    inserts: int = 0
    others: int = 0
    refills: int = 0
    drops: int = 0
    stale: int = 0
    journal_failures: int = 0
    adopted: int = 0
    problems: tuple[str, ...] = ()


@dataclass
class Result:
    reading: Reading
    states: int = 0
    depth: int = 0
    seconds: float = 0.0
    complete: bool = True  # every reachable state within the depth was explored
    counterexamples: dict[str, tuple[str, ...]] = field(default_factory=dict)


State = tuple[World, Any]


# --------------------------------------------------------------------------- running the app side


def _feed(world: World, machine: Any, event: Any, about: int = -1) -> World:
    """Hand the machine an event; queue its effects. ``about``: the engine sale a delivered frame described (a row
    the machine opens for it, adopting it, is that sale's)."""
    counter = [world.adopted]

    def new_id() -> str:
        counter[0] += 1
        return f"a{counter[0]}"

    machine.new_id = new_id
    effects = machine.handle(event)
    world = replace(world, adopted=counter[0])
    if effects:
        actions = tuple(adapter.action(e) for e in effects)
        sale = about if about >= 0 else world.heard_sale
        links = tuple((a[1], sale) for a in actions if a[0] == "open" and a[2])
        world = replace(world, effects=(*world.effects, actions), links=(*world.links, *links))
    return world


def _row(world: World, pid: str) -> Row | None:
    return next((r for r in world.rows if r[0] == pid), None)


def _set_row(world: World, row: Row) -> World:
    rows = tuple(r for r in world.rows if r[0] != row[0])
    return replace(world, rows=tuple(sorted((*rows, row))))


def _run_effect(world: World, machine: Any, fail: bool = False) -> World:
    batch, *rest = world.effects
    act, remaining = batch[0], batch[1:]
    world = replace(world, effects=tuple(([remaining] if remaining else []) + rest))
    kind = act[0]
    if kind == "open":
        if fail:  # the journal refuses the row: nothing after it in this batch may happen
            world = replace(world, effects=tuple(rest), journal_failures=world.journal_failures + 1)
            return _feed(world, machine, adapter.open_failed(act[1]))
        link = next((no for pid, no in world.links if pid == act[1]), -1)
        method = machine.payment.method if adapter.payment_id(machine) == act[1] else "?"
        world = _set_row(world, (act[1], "open", (Decimal(0), Decimal(0)), method, link))
    elif kind in ("settle", "reopen"):
        old = _row(world, act[1])
        if old is None and kind == "settle":  # its open failed: the service writes the row with the outcome
            link = next((no for pid, no in world.links if pid == act[1]), -1)
            old = (act[1], "open", (Decimal(0), Decimal(0)), act[4], link)
        if old is None:  # the journal cannot reopen a row it never wrote
            return world
        outcome, money, method = (act[2], (act[3], act[5]), act[4]) if kind == "settle" else ("open", old[2], old[3])
        world = _set_row(world, (act[1], outcome, money, method, old[4]))
    elif kind == "send":
        if adapter.vetoes_cancel(machine, act):  # refused at the write: nothing left, the machine is told
            return _feed(world, machine, adapter.send_failed(act[3], act[1]))
        if not world.connected:
            return _feed(world, machine, adapter.send_failed(act[3], act[1])) if act[3] else world
        payment = machine.payment if adapter.payment_id(machine) == act[3] else None
        informed = payment is not None and world.heard == (True, payment.due)
        if act[1] == "paycash" and world.heard[0] and world.heard[1] <= 0:
            world = replace(world, problems=(*world.problems, f"paycash for {act[3]} sent during a refill"))
        world = replace(world, to_engine=(*world.to_engine, (act[1], act[2], act[3], informed, world.observed)))
    elif kind == "publish":
        row = _row(world, act[1])
        if row is None or row[1] != act[2]:
            problem = f"published {act[2]} for {act[1]} while the journal says {row[1] if row else 'nothing'}"
            world = replace(world, problems=(*world.problems, problem))
    elif kind == "arm":
        world = replace(world, timers=tuple(sorted({*(t for t in world.timers if t[0] != act[1]), (act[1], act[2])})))
    elif kind == "disarm":
        world = replace(world, timers=tuple(t for t in world.timers if t[0] != act[1]))
    done = adapter.completion(act)
    return _feed(world, machine, done) if done is not None else world


def _engine(world: World, machine: Any, step: tuple[Engine, tuple[Frame, ...]], command: bool = False) -> World:
    engine, frames = step
    if not command:  # bounded staleness: a snapshot older than the latest command goes out before anything newer
        engine = replace(engine, before_last_command=None)
    return replace(world, engine=engine, to_app=(*world.to_app, *frames) if world.connected else world.to_app)


# --------------------------------------------------------------------------- the alphabet


Step = Callable[[World, Any], World]


def moves(world: World, machine: Any, b: Bounds) -> Iterator[tuple[str, Step]]:
    """Every event that may happen next, named for the counterexample's trace."""
    e = world.engine
    sale = e.sale
    if world.effects:
        yield "run effect", lambda w, mc: _run_effect(w, mc)
        if world.effects[0][0][0] == "open" and world.journal_failures < b.journal_failures:
            yield "journal write fails", lambda w, mc: _run_effect(w, mc, fail=True)
    if world.to_app:
        yield f"app gets {_show(world.to_app[0])}", _deliver
    if world.to_engine:
        yield f"engine takes {world.to_engine[0][0]}", _take
    if e.before_last_command is not None and world.stale < b.stale and world.connected:
        yield "engine sends a status built before its last command", _stale
    in_time = not b.slow_engine and (world.to_app or world.to_engine)
    for name, pid in () if in_time else world.timers:
        yield (
            f"{name} timer fires",
            lambda w, mc, n=name, p=pid: _feed(
                replace(w, timers=tuple(t for t in w.timers if t[0] != n)), mc, adapter.timer(n, p)
            ),
        )
    if world.started < b.sales and adapter.may_start(machine) and not world.effects:
        for method in b.methods:
            yield (
                f"customer pays {method}",
                lambda w, mc, me=method: _feed(
                    replace(w, started=w.started + 1), mc, adapter.start(f"p{w.started}", me, b.due)
                ),
            )
    pid = adapter.payment_id(machine)
    if pid.startswith("p") and pid not in world.cancelled:
        yield "customer cancels", lambda w, mc: _feed(replace(w, cancelled=w.cancelled | {pid}), mc,
                                                      adapter.cancel(pid))  # fmt: skip
    if sale is not None and sale.owner == "us":
        if sale.method == "cash" and world.inserts < b.inserts:
            for piece in b.pieces:
                yield (
                    f"customer inserts {piece}",
                    lambda w, mc, x=piece: _engine(replace(w, inserts=w.inserts + 1), mc, w.engine.insert(x)),
                )
        if sale.method == "card":
            yield "card approved", lambda w, mc: _engine(w, mc, w.engine.card(True))
            yield "card declined", lambda w, mc: _engine(w, mc, w.engine.card(False))
    if sale is None and world.others < b.others:
        yield (
            "another client's sale starts",
            lambda w, mc: _engine(replace(w, others=w.others + 1), mc, w.engine.other_starts(b.other_due)),
        )
    if sale is None and world.refills < b.refills:
        yield (
            "staff refill starts",
            lambda w, mc: _engine(replace(w, refills=w.refills + 1), mc, w.engine.other_starts(b.due, refill=True)),
        )
    if sale is not None and sale.owner != "us":
        yield f"{sale.owner} sale ends", lambda w, mc: _engine(w, mc, w.engine.other_ends())
    if world.connected and world.drops < b.drops:
        yield "connection drops", _drop
    if not world.connected:
        yield "connection back", _reconnect


def _show(f: Frame) -> str:
    if f[0] == "credit":
        return f"updateCredit(Due {f[1]}, Credit {f[2]})"
    charging, due, credit, change, ref = f[1:6]
    return f"status(cobrando {charging}, Due {due}, Credit {credit}, change {change}, ref {ref or '-'})"


def _deliver(w: World, mc: Any) -> World:
    f, *rest = w.to_app
    heard = (bool(f[1]), Decimal(str(f[2]))) if f[0] == "status" else (True, Decimal(str(f[1])))
    about = int(str(f[-1]))
    observed = w.observed | {about} if heard[0] and about >= 0 else w.observed
    w = replace(w, to_app=tuple(rest), heard=heard, observed=observed, heard_sale=about if heard[0] else -1)
    return _feed(w, mc, adapter.frame(f), about=about)


def _take(w: World, mc: Any) -> World:
    (kind, due, tag, informed, seen), *rest = w.to_engine
    live = w.engine.sale
    # a cancel names no sale: one written blind (no acknowledgement, the law's cancel "1") that reaches a sale the
    # app had never heard of is the protocol's race, counted; one that reaches a sale a frame had shown is a fault
    informed = informed or live is None or live.no not in seen
    return _engine(replace(w, to_engine=tuple(rest)), mc, w.engine.command(kind, due, tag, informed), command=True)


def _stale(w: World, mc: Any) -> World:
    stale = w.engine.before_last_command
    assert stale is not None
    engine = replace(w.engine, before_last_command=None)
    return replace(w, engine=engine, stale=w.stale + 1, to_app=(*w.to_app, stale))


def _drop(w: World, mc: Any) -> World:
    engine = replace(w.engine, before_last_command=None)  # a snapshot of the lost connection is lost with it
    return _feed(replace(w, engine=engine, connected=False, drops=w.drops + 1, to_app=(), to_engine=()), mc,
                 adapter.lost())  # fmt: skip


def _reconnect(w: World, mc: Any) -> World:
    w = _feed(replace(w, connected=True), mc, adapter.back())
    return replace(w, to_app=(*w.to_app, w.engine.status()))


# --------------------------------------------------------------------------- the properties


def _sale_of(world: World, row: Row) -> Sale | None:
    ledger = world.engine.ledger
    if row[4] >= 0:
        return ledger[row[4]]
    return next((s for s in ledger if s.tag == row[0]), None)


def quiescent(world: World) -> bool:
    return not (world.to_app or world.to_engine or world.effects or world.timers) and world.connected


def violations(world: World, definite: bool = False) -> list[str]:
    """The issue-19 properties; the ones about outcomes only where nothing is in flight (quiescent).

    ``definite``: also a property that no sale ends ``unknown`` (for runs with no fault in the alphabet, where
    the facts always tell)."""
    found = [*world.engine.violations, *world.problems]
    linked = [s.no for row in world.rows if (s := _sale_of(world, row)) is not None]
    for no in {n for n in linked if linked.count(n) > 1}:
        found.append(f"engine sale {no} has {linked.count(no)} journal rows")
    if not quiescent(world):
        return found
    for row in world.rows:
        pid, outcome, (credit, paid), method, _ = row
        sale = _sale_of(world, row)
        if outcome == "unknown" and definite:
            found.append(f"row {pid} is unknown though nothing went wrong")
        if outcome in ("open", "unknown"):
            if outcome == "open" and sale is None:
                found.append(f"row {pid} is open (shown live) but the engine never took it up")
            elif outcome == "open" and sale.truth:
                found.append(f"row {pid} left open after its sale ended")
            continue
        if sale is None:
            if CHARGED[outcome]:
                found.append(f"row {pid} is {outcome} but the engine never charged it")
        elif not sale.truth:
            found.append(f"row {pid} is {outcome} while the engine still charges it")
        elif CHARGED[outcome] != (sale.truth == "completed"):
            found.append(f"row {pid} is {outcome}, the engine's truth is {sale.truth}")
        elif sale.method == "cash" and method == "cash" and credit != sale.credit:
            found.append(f"row {pid} says {credit} went in, the engine took {sale.credit}")
        elif sale.method == "cash" and method == "cash" and paid != sale.change:
            found.append(f"row {pid} says {paid} came out, the engine paid {sale.change}")
    pids = {row[0] for row in world.rows}
    for sale in world.engine.ledger:
        if sale.owner == "us" and sale.truth and sale.tag not in pids:
            found.append(f"our sale {sale.tag} ({sale.truth}) has no journal row")
        if sale.owner == "other" and sale.truth and sale.no in world.observed and sale.no not in linked:
            found.append(f"another client's sale {sale.no}, seen charging, has no journal row")
    live = world.engine.sale
    if live is not None and live.owner == "us" and live.tag in world.cancelled:
        found.append(f"the customer cancelled {live.tag} and the engine still charges it")
    return found


# --------------------------------------------------------------------------- the search


def initial(reading: Reading) -> State:
    machine = adapter.new_machine()
    world = World(Engine(reading))
    world = _feed(world, machine, adapter.back())
    world = _feed(world, machine, adapter.frame(world.engine.status()))
    return world, machine


def explore(reading: Reading = DEFAULT_READING, bounds: Bounds | None = None, depth: int = 12,
            max_states: int = 2_000_000, seconds: float | None = None, definite: bool = False,
            stop_after: int | None = None) -> Result:  # fmt: skip
    """Explore breadth-first to ``depth``; ``stop_after`` counterexample kinds, stop (CI: fail fast)."""
    bounds = bounds or Bounds()
    started = time.monotonic()
    result = Result(reading)
    first = initial(reading)
    parents: dict[tuple[World, str], tuple[tuple[World, str] | None, str]] = {}
    root = (first[0], adapter.key(first[1]))
    parents[root] = (None, "")
    frontier: deque[tuple[State, tuple[World, str], int]] = deque([(first, root, 0)])
    while frontier:
        (world, machine), key, level = frontier.popleft()
        result.depth = max(result.depth, level)
        if level >= depth:
            continue
        for name, step in moves(world, machine, bounds):
            mc = adapter.clone(machine)
            nxt = step(world, mc)
            nkey = (nxt, adapter.key(mc))
            if nkey in parents:
                continue
            parents[nkey] = (key, name)
            problems = violations(nxt, definite)
            if problems:
                for problem in problems:
                    result.counterexamples.setdefault(_kind(problem), (*_trace(parents, nkey), f"=> {problem}"))
                continue
            frontier.append(((nxt, mc), nkey, level + 1))
        enough = stop_after is not None and len(result.counterexamples) >= stop_after
        if enough or len(parents) >= max_states or (seconds is not None and time.monotonic() - started > seconds):
            result.complete = False
            break
    result.states = len(parents)
    result.seconds = time.monotonic() - started
    return result


def _kind(problem: str) -> str:
    """The counterexample's kind: its text without the ids and amounts (one trace kept per kind)."""
    return " ".join(w for w in problem.split() if not any(c.isdigit() for c in w))


def _trace(parents: dict[Any, tuple[Any, str]], key: Any) -> tuple[str, ...]:
    steps: list[str] = []
    while key is not None:
        key, name = parents[key]
        if name:
            steps.append(name)
    return tuple(reversed(steps))
