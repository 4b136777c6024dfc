import json
from pathlib import Path


def test_settings():
    data = json.loads(Path("settings.json").read_text())
    assert data == {"name": "demo", "port": 8080, "debug": False}
