import pytest

from isbn_check import is_valid


@pytest.mark.parametrize("isbn", ["3-598-21508-8", "3598215088", "3-598-21507-X"])
def test_valid(isbn):
    assert is_valid(isbn) is True


@pytest.mark.parametrize(
    "isbn",
    ["3-598-21508-9", "3-598-21507-A", "3-598-2X507-9", "3-598-21507", "3598215078X", ""],
)
def test_invalid(isbn):
    assert is_valid(isbn) is False
