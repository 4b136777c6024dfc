from hello_world import hello


def test_greeting():
    assert hello() == "Hello, World!"
