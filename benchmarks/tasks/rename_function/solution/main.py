from geometry import rectangle_area

if __name__ == "__main__":
    print(rectangle_area(3, 4))
