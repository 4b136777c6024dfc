def area_rect(width, height):
    return width * height
