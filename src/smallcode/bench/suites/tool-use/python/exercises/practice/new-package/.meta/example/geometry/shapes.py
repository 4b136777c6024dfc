import math


def area_circle(r):
    return math.pi * r * r


def area_square(side):
    return side * side
