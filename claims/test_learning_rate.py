"""Report section "Hyper-Parameter Exploration": claims L1-L4."""


def test_L1(check_claim):
    check_claim("L1")


def test_L2(check_claim):
    check_claim("L2")


def test_L3(check_claim):
    check_claim("L3")


def test_L4(check_claim):
    check_claim("L4")
