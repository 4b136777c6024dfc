FREE_FROM = 5000
FLAT_RATE = 495


def shipping_for(cents):
    return 0 if cents >= FREE_FROM else FLAT_RATE
