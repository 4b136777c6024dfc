from pathlib import Path


def test_build_tag():
    assert Path("build_tag.txt").read_text().strip() == "v7-alpha"
