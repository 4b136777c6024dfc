"""Rewrite the settings table in README.md from smallcode.config.Settings."""

from __future__ import annotations

import re
from pathlib import Path

from smallcode.config import settings_table

BEGIN, END = "<!-- settings:begin -->", "<!-- settings:end -->"

readme = Path(__file__).resolve().parent.parent / "README.md"
text = readme.read_text(encoding="utf-8")
new = re.sub(
    re.escape(BEGIN) + r".*?" + re.escape(END),
    lambda _m: f"{BEGIN}\n{settings_table()}\n{END}",
    text,
    flags=re.S,
)
readme.write_text(new, encoding="utf-8")
print("README settings table updated" if new != text else "README settings table unchanged")
