"""Helpers to drive an EngineClient in tests: load a model, collect a request's events."""

from __future__ import annotations

from pathlib import Path

from engine import protocol as p
from engine.client import EngineClient, WorkerExited


def load(client: EngineClient, model: Path, **kw: int) -> p.Loaded:
    client.load(model, **kw)
    ev = client.wait_for((p.Loaded,), timeout=120)
    assert isinstance(ev, p.Loaded), ev
    return ev


def collect(client: EngineClient, req: int, timeout: float = 120) -> list[p.Message | WorkerExited]:
    """Events of request ``req`` up to and including its Done or ReadAheadDone (or an
    error/exit)."""
    events: list[p.Message | WorkerExited] = []
    while True:
        ev = client.next_event(timeout)
        if isinstance(ev, WorkerExited):
            events.append(ev)
            return events
        if getattr(ev, "req", None) != req:
            continue
        events.append(ev)
        if isinstance(ev, p.Done | p.ReadAheadDone | p.Error):
            return events


def answer_text(events: list[p.Message | WorkerExited]) -> str:
    return "".join(ev.text for ev in events if isinstance(ev, p.Text))


def done_of(events: list[p.Message | WorkerExited]) -> p.Done:
    done = events[-1]
    assert isinstance(done, p.Done), events[-3:]
    return done


def wait_exit(client: EngineClient, timeout: float = 30) -> WorkerExited:
    """The worker's exit event, skipping whatever was still in flight before it."""
    while True:
        ev = client.wait_for((WorkerExited,), timeout=timeout)
        if isinstance(ev, WorkerExited):
            return ev
