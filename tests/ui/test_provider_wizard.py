"""`smallcode provider`: non-interactive flags, errors, status, and one real interactive run."""

from __future__ import annotations

import os
import stat
import sys

import pexpect
import pytest

from tests.conftest import CLI
from tests.fakes.flavored_server import FlavoredServer

SECRET = "sk-test-abcdef-0123456789"


def env_text(path) -> str:
    return path.read_text() if path.exists() else ""


def test_save_to_project_with_key_masked(cli, project):
    with FlavoredServer("vllm", models=["Qwen/Qwen3-8B"], n_ctx=40960, api_key=SECRET) as s:
        r = cli(
            [
                *("provider", "--kind", "custom", "--url", s.base_url, "--key", SECRET),
                *("--save", "project", "--yes"),
            ],
            project,
        )
    assert r.returncode == 0, r.stderr + r.stdout
    out = r.stdout + r.stderr
    assert SECRET not in out
    assert "SMALLCODE_API_KEY=sk-t…6789" in out
    assert "context window 40,960 tokens" in out
    assert "git does not ignore it" in out  # the key went into an unignored .env
    env = env_text(project / ".env")
    assert f"SMALLCODE_API_KEY={SECRET}" in env
    assert "SMALLCODE_MODEL=Qwen/Qwen3-8B" in env  # the loaded model was chosen
    assert "SMALLCODE_PROVIDER=custom" in env
    assert stat.S_IMODE(os.stat(project / ".env").st_mode) == 0o600
    assert s.requests[0]["tools"][0]["function"]["name"] == "ping"


def test_save_to_user_config_keeps_other_lines(cli, project):
    user_env = os.path.join(os.environ["SMALLCODE_CONFIG_DIR"], ".env")
    os.makedirs(os.path.dirname(user_env), exist_ok=True)
    with open(user_env, "w") as fh:
        fh.write("# mine\nSMALLCODE_MAX_TURNS=12\nSMALLCODE_MODEL=old\n")
    with FlavoredServer("lmstudio", models=["a", "b"], loaded=["b"]) as s:
        r = cli(["provider", "--url", s.base_url, "--save", "user", "--yes"], project)
    assert r.returncode == 0, r.stderr + r.stdout
    with open(user_env) as fh:
        text = fh.read()
    assert text.startswith("# mine\nSMALLCODE_MAX_TURNS=12\nSMALLCODE_MODEL=b\n")
    assert not (project / ".env").exists()


def test_without_save_nothing_is_written(cli, project):
    with FlavoredServer("llamacpp", models=["m.gguf"]) as s:
        r = cli(["provider", "--kind", "llamacpp", "--url", s.base_url, "--yes"], project)
    assert r.returncode == 0
    assert "not saved" in r.stdout
    assert not (project / ".env").exists()


@pytest.mark.parametrize(
    ("server_kw", "flags", "expect"),
    [
        ({"api_key": SECRET}, ["--key", "sk-wrong-999999999"], "SMALLCODE_API_KEY"),
        ({}, ["--model", "no-such-model"], "model 'no-such-model' or endpoint"),
        ({"tools": False}, [], "does not support tools"),
    ],
)
def test_bad_input_is_one_line_exit_3(cli, project, server_kw, flags, expect):
    with FlavoredServer("llamacpp", models=["m.gguf"], **server_kw) as s:
        r = cli(["provider", "--kind", "custom", "--url", s.base_url, *flags, "--yes"], project)
    assert r.returncode == 3, r.stdout + r.stderr
    assert expect in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stdout + r.stderr
    assert "sk-wrong-999999999" not in r.stdout + r.stderr
    assert not (project / ".env").exists()


def test_server_down_and_missing_kind(cli, project):
    r = cli(["provider", "--kind", "lmstudio", "--url", "http://127.0.0.1:9/v1", "--yes"], project)
    assert r.returncode == 3 and "nothing answers at http://127.0.0.1:9/v1" in r.stderr
    r = cli(["provider", "--yes"], project)
    assert r.returncode == 2 and "needs --kind" in r.stderr
    r = cli(["provider", "--kind", "openai", "--yes"], project)
    assert r.returncode == 2 and "needs an API key" in r.stderr


def test_status(cli, project):
    with FlavoredServer("llamacpp", models=["m.gguf"], n_ctx=6144) as s:
        r = cli(["provider", "status"], project, env={"SMALLCODE_BASE_URL": s.base_url})
    assert r.returncode == 0, r.stderr
    assert "context window: 6,144 tokens" in r.stdout
    assert "FAST: main model" in r.stdout and "escalation: off" in r.stdout


def test_interactive_wizard_with_pexpect(project, tmp_path):
    """A person at a terminal: picks the probed server, a model, and the user config."""
    with FlavoredServer("lmstudio", models=["coder-7b", "coder-14b"], loaded=[], n_ctx=8192) as s:
        env = dict(os.environ, SMALLCODE_PROBE_URLS=f"http://127.0.0.1:9,{s.url}", TERM="dumb")
        child = pexpect.spawn(
            CLI[0], [*CLI[1:], "provider"], cwd=str(project), env=env, encoding="utf-8", timeout=20
        )
        child.delaybeforesend = None
        try:
            child.expect("Which model server")
            child.expect(r"1\) LM Studio found at http://127\.0\.0\.1:\d+ \(2 models\)")
            child.expect("choose a number")
            child.sendline("1")
            child.expect("Which model")
            child.expect(r"2\) coder-14b")
            child.expect("number or name")
            child.sendline("2")
            child.expect("ok: LM Studio answered")
            child.expect("Save where")
            child.expect("choose a number")
            child.sendline("2")
            child.expect("saved to")
            child.expect(pexpect.EOF)
        finally:
            child.close()
        assert child.exitstatus == 0
    with open(os.path.join(os.environ["SMALLCODE_CONFIG_DIR"], ".env")) as fh:
        saved = fh.read()
    assert "SMALLCODE_PROVIDER=lmstudio" in saved
    assert f"SMALLCODE_BASE_URL={s.url}/v1" in saved
    assert "SMALLCODE_MODEL=coder-14b" in saved
    assert sys.executable  # the child ran with this interpreter's smallcode
