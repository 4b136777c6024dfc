import sys


def main():
    with open(sys.argv[1]) as fh:
        print(len(fh.read().split()))


if __name__ == "__main__":
    main()
