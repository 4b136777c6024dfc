from pathlib import Path


def test_new_section_first():
    text = Path("CHANGELOG.md").read_text()
    assert text.startswith("# Changelog")
    assert "## 0.3.0" in text and "- Added the export command" in text
    assert text.index("## 0.3.0") < text.index("- Added the export command") < text.index("## 0.2.0")
    assert "- First release" in text
