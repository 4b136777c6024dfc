from pathlib import Path

import inventory


def test_reorder_level():
    assert inventory.reorder_level() == 12


def test_other_functions_untouched():
    assert inventory.stock_item_01(100) == 10
    assert inventory.stock_item_36(3) == 9
    assert inventory.stock_item_60(1000) == 600
    assert len([n for n in dir(inventory) if n.startswith("stock_item_")]) == 60


def test_file_not_shortened():
    lines = Path("inventory.py").read_text().splitlines()
    assert len(lines) == 546
