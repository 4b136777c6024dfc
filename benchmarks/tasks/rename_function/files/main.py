from geometry import area_rect

if __name__ == "__main__":
    print(area_rect(3, 4))
