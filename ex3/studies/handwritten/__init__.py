"""Report section "The handwritten page": claims S1, G1, G2 and the untestable line C1."""
