from util import slugify


def run(title):
    return slugify(title)
