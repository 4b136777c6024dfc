from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from smallcode.config import Settings
from smallcode.tools import ToolContext, core_registry
from smallcode.tools.registry import ToolRegistry


@pytest.fixture
def ctx(project: Path) -> Iterator[ToolContext]:
    c = ToolContext(root=project.resolve(), settings=Settings.load(project))
    yield c
    shell = c.shell
    if shell is not None:
        shell.close()


@pytest.fixture
def registry() -> ToolRegistry:
    return core_registry()
