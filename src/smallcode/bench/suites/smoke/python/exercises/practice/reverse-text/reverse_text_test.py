from reverse_text import reverse


def test_word():
    assert reverse("stressed") == "desserts"


def test_sentence():
    assert reverse("I am") == "ma I"


def test_empty():
    assert reverse("") == ""
