PRICES = {"pen": 250, "notebook": 800, "bag": 4500}


def price_of(item):
    return PRICES[item]
