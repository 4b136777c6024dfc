import pytest

from bank_ledger import Ledger


def test_opening_balance():
    assert Ledger().balance == 0
    assert Ledger(500).balance == 500


def test_deposit_and_withdraw():
    ledger = Ledger(100)
    ledger.deposit(50)
    ledger.withdraw(30)
    assert ledger.balance == 120
    assert ledger.history() == [("deposit", 50), ("withdraw", 30)]


def test_overdraft_is_refused():
    ledger = Ledger(10)
    with pytest.raises(ValueError):
        ledger.withdraw(11)
    assert ledger.balance == 10
    assert ledger.history() == []


@pytest.mark.parametrize("amount", [0, -5])
def test_amount_must_be_positive(amount):
    ledger = Ledger(10)
    with pytest.raises(ValueError):
        ledger.deposit(amount)
    with pytest.raises(ValueError):
        ledger.withdraw(amount)


def test_balance_is_read_only():
    ledger = Ledger(1)
    with pytest.raises(AttributeError):
        ledger.balance = 99
