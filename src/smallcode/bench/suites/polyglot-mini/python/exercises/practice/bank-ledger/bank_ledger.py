class Ledger:
    def __init__(self, opening=0):
        pass
