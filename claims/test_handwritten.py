"""Report section "The handwritten page": claims S1, G1, G2 and the untestable line C1."""


def test_S1(check_claim):
    check_claim("S1")


def test_G1(check_claim):
    check_claim("G1")


def test_G2(check_claim):
    check_claim("G2")


def test_C1(check_claim):
    check_claim("C1")
