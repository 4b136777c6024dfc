import pytest

from balanced_brackets import is_balanced


@pytest.mark.parametrize("text", ["", "()", "([]{})", "f(a[1], {b: 2})", "{[()()]}"])
def test_balanced(text):
    assert is_balanced(text) is True


@pytest.mark.parametrize("text", ["(", ")", "([)]", "{[}", "())(", "x]"])
def test_unbalanced(text):
    assert is_balanced(text) is False
