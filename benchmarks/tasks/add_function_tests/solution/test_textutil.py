from textutil import is_palindrome, shout


def test_shout():
    assert shout("hi") == "HI!"


def test_is_palindrome():
    assert is_palindrome("Never odd or even")
    assert not is_palindrome("abc")
