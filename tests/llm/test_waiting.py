"""Waiting on the model is bounded and visible: real stalling and rate-limiting servers on
127.0.0.1, first-token and between-chunk timeouts, Retry-After, cancellation."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from smallcode.errors import TransientError
from smallcode.llm.base import RequestOptions, complete, retry_wait
from smallcode.llm.httpcommon import retry_after_seconds
from smallcode.llm.openai_compat import OpenAICompatProvider
from smallcode.llm.waiting import CancelToken, Interrupted, StreamStalled, WaitPolicy
from smallcode.types import Message
from tests.fakes.openai_server import FakeReply, script, text

HELLO = [Message("user", "hello")]


def _threads() -> set[str]:
    return {t.name for t in threading.enumerate() if t.name.startswith("smallcode-")}


def test_a_server_that_never_answers_is_given_up_on_with_notices(fake_server) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(script([FakeReply(fault="stall", stall_s=20)]))
    p = OpenAICompatProvider(srv.base_url, "m", timeout=60)
    notices: list[tuple[float, str]] = []
    policy = WaitPolicy(
        first_token_s=1.2,
        idle_s=0.5,
        notice_every_s=0.4,
        on_wait=lambda s, ph: notices.append((s, ph)),
    )
    started = time.monotonic()
    with pytest.raises(StreamStalled, match=r"no reply from the model in 1.2 s"):
        complete(p, HELLO, None, wait=policy, max_retries=3, backoff_s=0.01)
    took = time.monotonic() - started
    p.close()
    assert len(srv.requests) == 1  # a stall is not retried: it would only stall again
    assert [ph for _, ph in notices] == ["waiting for the model"] * len(notices)
    assert len(notices) >= 2
    deadline = time.monotonic() + 5
    while srv.hangups < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.hangups == 1  # the connection was closed, so the server can stop working
    print(f"stalled server given up after {took:.2f} s (first-token timeout 1.2 s)")


def test_a_stream_that_stops_midway_is_given_up_on(fake_server) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(
        script([FakeReply(content="partial answer " * 5, fault="stall_mid", stall_s=20)])
    )
    p = OpenAICompatProvider(srv.base_url, "m", timeout=60)
    seen: list[str] = []
    with pytest.raises(StreamStalled, match="stopped sending in the middle of a reply"):
        complete(p, HELLO, None, on_text=seen.append, wait=WaitPolicy(first_token_s=5, idle_s=0.6))
    p.close()
    assert seen and len(srv.requests) == 1


def test_429_retry_after_is_honoured(fake_server) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(
        script(
            [
                FakeReply(fault="429", retry_after="1"),
                FakeReply(fault="429", retry_after="1"),
                text("ok"),
            ]
        )
    )
    p = OpenAICompatProvider(srv.base_url, "m")
    waits: list[float] = []
    reply = complete(
        p,
        HELLO,
        None,
        max_retries=3,
        backoff_s=0.01,
        on_retry=lambda n, e, w: waits.append(w),
        wait=WaitPolicy(),
    )
    p.close()
    assert reply.content == "ok" and len(srv.requests) == 3
    assert len(waits) == 2 and all(1.0 <= w <= 1.2 for w in waits)


def test_retry_after_is_capped_and_read_as_a_date(fake_server) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(script([FakeReply(fault="429", retry_after="3600"), text("ok")]))
    p = OpenAICompatProvider(srv.base_url, "m")
    waits: list[float] = []
    complete(p, HELLO, None, retry_after_max_s=0.3, on_retry=lambda n, e, w: waits.append(w))
    p.close()
    assert 0.3 <= waits[0] <= 0.4

    from email.utils import formatdate

    class H(dict[str, str]):
        pass

    assert retry_after_seconds(H({"retry-after": "7"})) == 7.0
    in_5 = retry_after_seconds(H({"retry-after": formatdate(time.time() + 5, usegmt=True)}))
    assert in_5 is not None and 3 <= in_5 <= 6
    assert retry_after_seconds(H({"retry-after": "soon"})) is None
    assert retry_after_seconds(H()) is None


def test_backoff_has_jitter_and_grows() -> None:
    first = [retry_wait(1, 1.0, None) for _ in range(50)]
    third = [retry_wait(3, 1.0, None) for _ in range(50)]
    assert all(0.5 <= w <= 1.0 for w in first) and len(set(first)) > 1
    assert all(2.0 <= w <= 4.0 for w in third)
    assert 5.0 <= retry_wait(1, 1.0, 5.0) <= 5.6


def test_429_without_retry_after_still_gives_up_in_the_end(fake_server) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(script([FakeReply(fault="429")]))
    p = OpenAICompatProvider(srv.base_url, "m")
    with pytest.raises(TransientError, match="HTTP 429"):
        complete(p, HELLO, None, max_retries=3, backoff_s=0.01, wait=WaitPolicy())
    p.close()
    assert len(srv.requests) == 3


def test_cancel_stops_a_stalled_request_and_closes_its_connection(fake_server) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(script([FakeReply(fault="stall", stall_s=20)]))
    p = OpenAICompatProvider(srv.base_url, "m", timeout=60)
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    started = time.monotonic()
    with pytest.raises(Interrupted):
        complete(p, HELLO, None, wait=WaitPolicy(should_cancel=stop.is_set))
    latency = time.monotonic() - started - 0.5
    deadline = time.monotonic() + 5
    while (srv.hangups < 1 or _threads()) and time.monotonic() < deadline:
        time.sleep(0.05)
    p.close()
    assert srv.hangups == 1 and not _threads()
    print(f"cancel latency {latency * 1000:.0f} ms")


def test_cancel_token_runs_callbacks_once() -> None:
    token = CancelToken()
    calls: list[str] = []
    token.on_cancel(lambda: calls.append("a"))
    token.set()
    token.set()
    token.on_cancel(lambda: calls.append("b"))  # already set: runs at once
    assert calls == ["a", "b"] and token.is_set()


def test_providers_without_wait_work_as_before(fake_server) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(script([text("plain")]))
    p = OpenAICompatProvider(srv.base_url, "m")
    assert complete(p, HELLO, None, RequestOptions(temperature=0)).content == "plain"
    p.close()


# ---------------------------------------------------------------- through the CLI


def _run(cli: Any, project: Path, url: str, **env: str) -> Any:
    return cli(
        ["-P", "say hi", "--non-interactive"],
        project,
        env={"SMALLCODE_BASE_URL": url, "SMALLCODE_MODEL": "m", **env},
        timeout=60,
    )


def test_non_interactive_run_says_it_waits_and_exits_3(cli, project, fake_server) -> None:  # type: ignore[no-untyped-def]
    srv = fake_server(script([FakeReply(fault="stall", stall_s=20)]))
    r = _run(
        cli, project, srv.base_url, SMALLCODE_FIRST_TOKEN_TIMEOUT="2.5", SMALLCODE_WAIT_NOTICE="1"
    )
    assert r.returncode == 3, r.stderr
    assert "waiting for the model (1 s)" in r.stderr and "waiting for the model (2 s)" in r.stderr
    assert "no reply from the model (openai) in 2.5 s" in r.stderr
    assert "Traceback" not in r.stderr
    assert len(srv.requests) == 1


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("SMALLCODE_REQUEST_TIMEOUT", "0", "expected a number of at least 1"),
        ("SMALLCODE_FIRST_TOKEN_TIMEOUT", "-5", "expected a number of at least 1"),
        ("SMALLCODE_MAX_RETRIES", "2.5", "expected a whole number"),
        ("SMALLCODE_TEMPERATURE", "9", "expected a number from 0 to 2"),
        ("SMALLCODE_STREAM_IDLE_TIMEOUT", "inf", "expected a number of at least 1"),
    ],
)
def test_bad_numbers_are_one_line_and_exit_2(cli, project, name, value, expected) -> None:  # type: ignore[no-untyped-def]
    r = _run(cli, project, "http://127.0.0.1:9/v1", **{name: value})
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and expected in lines[0], r.stderr
