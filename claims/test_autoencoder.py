"""Report section "Autoencoders": claims A1-A5."""


def test_A1(check_claim):
    check_claim("A1")


def test_A2(check_claim):
    check_claim("A2")


def test_A3(check_claim):
    check_claim("A3")


def test_A4(check_claim):
    check_claim("A4")


def test_A5(check_claim):
    check_claim("A5")
