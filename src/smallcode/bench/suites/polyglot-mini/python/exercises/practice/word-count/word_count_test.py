from word_count import count_words


def test_one_word():
    assert count_words("word") == {"word": 1}


def test_repeated_words_any_case():
    assert count_words("Go go GO stop") == {"go": 3, "stop": 1}


def test_punctuation_separates():
    assert count_words("car: carpet as java: javascript!!&@$%^&") == {
        "car": 1, "carpet": 1, "as": 1, "java": 1, "javascript": 1,
    }


def test_commas_without_spaces():
    assert count_words("one,two,three") == {"one": 1, "two": 1, "three": 1}


def test_apostrophes():
    assert count_words("Don't stop, 'joe' can't") == {"don't": 1, "stop": 1, "joe": 1, "can't": 1}


def test_numbers():
    assert count_words("1 2 testing 1") == {"1": 2, "2": 1, "testing": 1}
