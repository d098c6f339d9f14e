"""Report section "Toy Convnet": claims T1-T4."""


def test_T1(check_claim):
    check_claim("T1")


def test_T2(check_claim):
    check_claim("T2")


def test_T3(check_claim):
    check_claim("T3")


def test_T4(check_claim):
    check_claim("T4")
