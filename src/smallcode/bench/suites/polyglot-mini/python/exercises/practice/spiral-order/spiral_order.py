def spiral(matrix):
    pass
