"""Text helpers."""


def shout(text):
    return text.upper() + "!"


def is_palindrome(text):
    s = text.replace(" ", "").lower()
    return s == s[::-1]
