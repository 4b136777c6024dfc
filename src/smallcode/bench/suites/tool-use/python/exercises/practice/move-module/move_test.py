from pathlib import Path


def test_moved():
    from helpers.util import slugify

    assert slugify("Hello World") == "hello-world"
    assert Path("helpers/__init__.py").is_file()
    assert not Path("util.py").exists()


def test_main_still_works():
    import main

    assert main.run("A Title") == "a-title"
