import json
from pathlib import Path


def test_package():
    data = json.loads(Path("package.json").read_text())
    assert data["version"] == "1.4.0"
    assert data["scripts"] == {"test": "node --test", "lint": "eslint ."}
    assert data["name"] == "widget" and data["private"] is True
