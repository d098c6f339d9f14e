"""The claim engine: claims, verdicts, pinned expectations and evaluation."""

from ex3.engine.claim import Claim, ClaimResult, Evidence, Judgement, RunContext, Verdict

__all__ = ["Claim", "ClaimResult", "Evidence", "Judgement", "RunContext", "Verdict"]
