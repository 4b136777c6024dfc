"""Waiting on a model, bounded and visible, and stopped at once when asked.

A provider's stream runs in a worker thread; the caller's thread waits on a queue in short
slices, so it can:

- give up when the first part of the reply takes longer than ``first_token_s``, when the
  stream pauses longer than ``idle_s`` between parts, or when the whole request passes
  ``total_s`` (a :class:`StreamStalled`, exit 3, not retried: a server that does not answer
  would only be asked again to not answer);
- report every ``notice_every_s`` of silence through ``on_wait(seconds, phase)``;
- stop within a fraction of a second on Ctrl-C (the KeyboardInterrupt reaches the waiting
  thread, not a C call deep in llama.cpp) or when ``should_cancel()`` says so: the request's
  :class:`CancelToken` is set, which cuts an HTTP stream's socket and makes the in-process
  model stop at its next token.

The worker finishes on its own (an aborted read fails at once; the in-process model checks
the token between tokens), so no thread outlives its request by more than that.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from smallcode.errors import EndpointError
from smallcode.types import Chunk, PromptProgress

POLL_S = 0.05


class StreamStalled(EndpointError):
    """The model endpoint accepted the request but did not answer in time."""


class Interrupted(KeyboardInterrupt):
    """The request was cancelled (Ctrl-C in another form, or ``Agent.cancel``)."""


class CancelToken:
    """Set once; callbacks added before or after run exactly once (thread-safe)."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], None]] = []

    def is_set(self) -> bool:
        return self._event.is_set()

    def on_cancel(self, callback: Callable[[], None]) -> None:
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)
                return
        _safe(callback)

    def set(self) -> None:
        with self._lock:
            if self._event.is_set():
                return
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        for cb in callbacks:
            _safe(cb)


def _safe(callback: Callable[[], None]) -> None:
    try:
        callback()
    except Exception:
        pass


@dataclass
class WaitPolicy:
    first_token_s: float = 300.0
    idle_s: float = 60.0
    total_s: float = 900.0
    notice_every_s: float = 30.0
    on_wait: Callable[[float, str], None] | None = None
    # The phase changed (e.g. "processing the prompt 40%"), for a live status line.
    on_phase: Callable[[str], None] | None = None
    should_cancel: Callable[[], bool] | None = None
    where: str = "the model"


_END = object()


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def watched(
    start: Callable[[CancelToken], Iterator[Chunk]],
    policy: WaitPolicy,
) -> Iterator[Chunk]:
    """Yield the chunks of ``start(token)`` (run in a worker thread) within ``policy``."""
    token = CancelToken()
    q: queue.Queue[Any] = queue.Queue()  # unbounded: a stopped reader never blocks the worker

    def work() -> None:
        stream: Iterator[Chunk] | None = None
        try:
            stream = start(token)
            for chunk in stream:
                if token.is_set():
                    break
                q.put(chunk)
            q.put(_END)
        except BaseException as exc:  # handed to the waiting thread
            q.put(_Failed(exc))
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:
                    pass

    worker = threading.Thread(target=work, name="smallcode-model-stream", daemon=True)
    started = time.monotonic()
    last = started
    got_any = False
    notices = 0
    finished = False
    phase = "waiting for the model"
    worker.start()
    try:
        while True:
            try:
                item = q.get(timeout=POLL_S)
            except queue.Empty:
                now = time.monotonic()
                if policy.should_cancel is not None and policy.should_cancel():
                    raise Interrupted() from None
                _check_deadlines(policy, now - started, now - last, got_any)
                silent = now - last
                if policy.notice_every_s > 0 and silent >= policy.notice_every_s * (notices + 1):
                    notices += 1
                    if policy.on_wait is not None:
                        policy.on_wait(now - started, phase)
                continue
            if item is _END:
                finished = True
                return
            if isinstance(item, _Failed):
                finished = True
                raise item.exc
            last, notices = time.monotonic(), 0
            if isinstance(item, PromptProgress):  # alive, still reading the prompt
                new = f"processing the prompt {100 * item.done // max(1, item.total)}%"
                if new != phase:
                    phase = new
                    if policy.on_phase is not None:
                        policy.on_phase(phase)
                continue
            if not got_any:
                got_any = True
                phase = "the model paused"  # what a notice says from now on
            yield item
    finally:
        if not finished:
            token.set()  # cut the HTTP stream / stop the in-process model
        worker.join(timeout=0.2 if not finished else 5.0)


def _check_deadlines(policy: WaitPolicy, total: float, silent: float, got_any: bool) -> None:
    if total > policy.total_s:
        raise StreamStalled(
            f"{policy.where} took longer than {policy.total_s:g} s for one reply; stopped "
            "(SMALLCODE_REQUEST_TIMEOUT)"
        )
    if not got_any and silent > policy.first_token_s:
        raise StreamStalled(
            f"no reply from {policy.where} in {policy.first_token_s:g} s (it accepted the "
            "request but sent nothing); is it overloaded or stuck? Raise "
            "SMALLCODE_FIRST_TOKEN_TIMEOUT for a slow model"
        )
    if got_any and silent > policy.idle_s:
        raise StreamStalled(
            f"{policy.where} stopped sending in the middle of a reply (nothing for "
            f"{policy.idle_s:g} s); raise SMALLCODE_STREAM_IDLE_TIMEOUT for a slow model"
        )
