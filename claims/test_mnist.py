"""Report section "MNIST classifiers": claims M1-M3."""


def test_M1(check_claim):
    check_claim("M1")


def test_M2(check_claim):
    check_claim("M2")


def test_M3(check_claim):
    check_claim("M3")
