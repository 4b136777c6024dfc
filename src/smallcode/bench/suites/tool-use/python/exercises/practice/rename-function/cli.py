import sys

from orders import calc_total


def main(argv):
    lines = [(int(a), int(b)) for a, b in (x.split("x") for x in argv)]
    print(calc_total(lines))


if __name__ == "__main__":
    main(sys.argv[1:])
