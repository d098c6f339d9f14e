"""The contract every section of the report implements, and what its claims produce.

A section is a :class:`Study`: it declares its claims, builds its protocol
from the :class:`RunContext`, lists the training runs it will ask for, and
names its figures, falsification worlds and robustness neighbourhood.
Studies are registered in one list (``ex3.studies.registry``); adding a
section is one package and one line there.

Each claim pairs the report's words with two separate steps:

* ``measure(ctx) -> Evidence``: expensive; trains and evaluates under the
  claim's declared protocol and returns a typed, frozen evidence object (the
  study's own :class:`Evidence` subclass) that records the protocol it ran
  and turns into plain JSON with ``to_json`` (and back with ``from_json``);
* ``judge(evidence) -> Judgement``: cheap and pure; compares the evidence
  with the threshold declared in the study's judge module and says
  REPRODUCED or NOT REPRODUCED (SKIPPED where the data cannot answer) with a
  one-line reason that quotes the numbers, and any stricter sub-checks worth
  showing beside the verdict (they never decide it).

A reduced budget (the quick profile, the bundled sample) only estimates the
full protocol's verdict: ``ex3.engine.agreement`` turns an estimate it
cannot trust into INCONCLUSIVE after judging.

Keeping the two apart lets the judges be unit-tested on made-up evidence and
lets several claims share one measurement. What a session computes once
(a study measured for several claims, a trained judge model) lives in the
context's :class:`SessionCache`, passed in with the context, never in module
state.
"""

from __future__ import annotations

import abc
import dataclasses
import enum
import json
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import cattrs

from ex3 import config
from ex3.errors import UsageError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ex3.studies.neighbourhood import Neighbourhood
    from ex3.training.loop import EpochRecord
    from ex3.training.runs import RunSpec

#: Called with each run and epoch record a session trains (never for a run from the cache).
EpochHook = Callable[["RunSpec", "EpochRecord"], None]


class Verdict(enum.StrEnum):
    """The outcomes a claim can have."""

    REPRODUCED = "REPRODUCED"
    NOT_REPRODUCED = "NOT REPRODUCED"
    NOT_TESTABLE = "NOT TESTABLE"
    SKIPPED = "SKIPPED"
    UNSTABLE = "UNSTABLE"
    #: A reduced budget that cannot decide what the full protocol decides.
    INCONCLUSIVE = "INCONCLUSIVE"


@dataclass(frozen=True)
class Judgement:
    """A verdict with the one-line reason that justifies it.

    ``sub_checks`` name stricter properties than the report's words (a loss
    that halves, train-set margins, ...) with their outcome per run: shown
    beside the verdict as evidence, never deciding it.
    """

    verdict: Verdict
    reason: str
    sub_checks: dict[str, str] = field(default_factory=dict)

    @classmethod
    def holds(cls, ok: bool, reason: str, sub_checks: dict[str, str] | None = None
              ) -> Judgement:
        """REPRODUCED when ``ok``, else NOT REPRODUCED, with the same reason."""
        return cls(Verdict.REPRODUCED if ok else Verdict.NOT_REPRODUCED, reason,
                   dict(sub_checks or {}))


# --------------------------------------------------------------------------- evidence

#: Unknown keys are an error; a field left at its default (an optional part, None) is left
#: out of the JSON, so evidence without it reads exactly as before it existed.
_CONVERTER = cattrs.Converter(forbid_extra_keys=True, omit_if_default=True)


@dataclass(frozen=True, kw_only=True)
class Evidence:
    """The base of every study's typed evidence: frozen fields, plain JSON both ways.

    ``protocol`` is the protocol the numbers were measured under (as plain
    data); the engine moves it to the result's ``protocol`` entry. A study's
    subclass adds typed fields; ``to_json`` gives the plain dict written to
    ``verdicts.json`` and ``from_json`` rebuilds the object from it (unknown
    keys are an error), so made-up evidence in a test is typed too.
    """

    protocol: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The protocol as JSON holds it (tuples become lists), so evidence read back
        # with ``from_json`` equals the evidence measured.
        object.__setattr__(self, "protocol", json.loads(json.dumps(self.protocol)))

    def to_json(self) -> dict[str, Any]:
        """Plain, JSON-serialisable data, field by field."""
        return _CONVERTER.unstructure(self)

    @classmethod
    def from_json(cls: type[E], data: Mapping[str, Any]) -> E:
        """The evidence ``to_json`` produced (or made-up data of the same shape)."""
        try:
            return _CONVERTER.structure(dict(data), cls)
        except cattrs.BaseValidationError as exc:
            detail = "; ".join(cattrs.transform_error(exc))
            raise ValueError(f"not {cls.__name__}: {detail}") from None


E = TypeVar("E", bound=Evidence)


# --------------------------------------------------------------------------- context


class SessionCache:
    """What one session computes once and reports to, passed in with its context.

    A study measured once for several claims, a judge model trained once for
    five, the curves a robustness sweep trained in other processes: each is a
    value here under a key the study chooses. ``on_epoch`` is the callback a
    session's progress display gives for every epoch trained. A copy sent to
    another process (pickled) starts empty and silent: values and callbacks
    stay in the session that made them.
    """

    def __init__(self, on_epoch: EpochHook | None = None) -> None:
        self._values: dict[Hashable, Any] = {}
        self.on_epoch = on_epoch

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value under ``key``, computed (once) by ``compute`` when absent."""
        if key not in self._values:
            self._values[key] = compute()
        return self._values[key]

    def put(self, key: Hashable, value: Any) -> None:
        """Keep ``value`` under ``key`` (a result computed elsewhere)."""
        self._values[key] = value

    def __contains__(self, key: Hashable) -> bool:
        return key in self._values

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._values, self.on_epoch = {}, None


T = TypeVar("T")


@dataclass(frozen=True)
class RunContext:
    """Everything outside a protocol that decides how claims are run.

    ``profile`` picks the protocol (``quick`` or ``full``); ``seeds`` overrides
    the number of seeds; ``master_seed`` shifts every seed (stability runs);
    ``data_dir`` and ``download`` choose the MNIST source; ``data_origin``
    names where ``data_dir`` came from (``--data-dir DIR`` or the environment
    variable, see ``ex3.config``), so that a data error names what the user
    set. ``overrides`` replaces fields of a study's declared protocol by name
    (falsification worlds and tiny test protocols); the replaced protocol is
    what the evidence records, so an overridden run can never pass for the
    declared one. ``cache`` is the session's :class:`SessionCache`; it takes
    no part in comparing or hashing contexts, and ``dataclasses.replace``
    keeps it, so every context derived from a session's shares its cache.
    """

    profile: str = "quick"
    seeds: int | None = None
    master_seed: int = 0
    data_dir: str | None = None
    download: bool = False
    data_origin: str | None = None
    overrides: tuple[tuple[str, Any], ...] = ()
    #: The intra-op threads of every MNIST run the studies train (``RunSpec.threads``; a
    #: command decides it from its workers, ``ex3.training.threads.run_threads``).
    threads: int = 1
    #: Where MNIST runs train (``cpu`` or ``cuda``; resolved from ``auto`` by ``resolve``).
    #: Not part of any protocol: a verdict must not depend on it, only the rounding may.
    device: str = "cpu"
    cache: SessionCache = field(default_factory=SessionCache, compare=False, repr=False)

    @classmethod
    def resolve(cls, *, profile: str | None = None, seeds: int | None = None,
                data_dir: str | None = None, download: bool = False,
                device: str | None = None, threads: int | None = None) -> RunContext:
        """The one run context of a session: what the caller was given, else the environment.

        ``ex3`` (its options), ``pytest claims/`` and the benchmarks all build
        their context here, so a setting means the same everywhere and a data
        error names where the folder came from (``--data-dir DIR`` or the
        environment variable ``ex3.config`` reads). A blank ``data_dir`` counts
        as not given. ``device`` (else the environment's, else ``auto``) is
        resolved here: ``auto`` is ``cuda`` when torch sees a CUDA device, else
        ``cpu``; ``cuda`` without one is a usage error. ``threads`` defaults to
        one training process's share of the cores (``run_threads(1)``).
        """
        from ex3.training.threads import run_threads

        env_data = config.data_dir_from_env()
        if download and env_data is not None:
            raise UsageError(f"--download conflicts with {config.DATA_DIR_ENV}, which names a "
                             f"data folder; unset {config.DATA_DIR_ENV} or drop --download")
        folder = (data_dir or "").strip() or None
        origin = f"--data-dir {folder}" if folder else None
        if folder is None and env_data is not None:
            folder, origin = env_data.value, env_data.origin
        return cls(profile=profile or config.profile_from_env(),
                   seeds=seeds if seeds is not None else config.seeds_from_env(),
                   data_dir=folder, download=download, data_origin=origin,
                   device=resolve_device(device or config.device_from_env() or "auto"),
                   threads=run_threads(1) if threads is None else threads)

    @property
    def on_epoch(self) -> EpochHook | None:
        """The session's per-epoch callback (progress), passed to every run trained."""
        return self.cache.on_epoch


def resolve_device(choice: str) -> str:
    """``cpu`` or ``cuda`` for the choice ``auto``, ``cpu`` or ``cuda`` (``RunContext.resolve``)."""
    import torch

    if choice not in config.DEVICES:
        raise UsageError(f"device {choice!r} is not one of {', '.join(config.DEVICES)}")
    available = torch.cuda.is_available()
    if choice == "cuda" and not available:
        raise UsageError("--device cuda asks for a CUDA GPU, but torch sees none here; "
                         "use --device cpu or --device auto")
    if choice == "auto":
        return "cuda" if available else "cpu"
    return choice


def study_seeds(ctx: RunContext, default: int) -> tuple[int, ...]:
    """The seeds a study draws: ``default`` of them (or ``ctx.seeds``), shifted by the master seed.

    Every study takes its seeds from here, so master seed m gives each study
    the block m * 1000, m * 1000 + 1, ...: disjoint from every other master
    seed's for up to 1,000 seeds, and master seed 0 is the declared protocol.
    """
    return tuple(ctx.master_seed * 1000 + s for s in range(ctx.seeds or default))


P = TypeVar("P")


def with_overrides(protocol: P, ctx: RunContext) -> P:
    """``protocol`` with the context's overrides applied; unknown field names are an error."""
    if not ctx.overrides:
        return protocol
    names = {f.name for f in dataclasses.fields(protocol)}  # type: ignore[arg-type]
    unknown = [k for k, _ in ctx.overrides if k not in names]
    if unknown:
        raise ValueError(f"{type(protocol).__name__} has no field(s) {', '.join(unknown)}")
    return dataclasses.replace(protocol, **dict(ctx.overrides))  # type: ignore[type-var]


# --------------------------------------------------------------------------- claims

#: Per-seed values of the winner and the loser of a comparison, and the direction.
Comparison = tuple[list[float], list[float], bool]


@dataclass(frozen=True)
class Claim:
    """One claim of the report, with its id from CLAIMS.md."""

    id: str
    section: str
    quote: str
    summary: str
    threshold: str
    measure: Callable[[RunContext], Evidence] | None = None
    judge: Callable[[Any], Judgement] | None = None
    not_testable: str | None = None
    figures: tuple[str, ...] = ()
    #: For comparative claims: named pairs of per-seed samples (a, b,
    #: higher_is_better) read from the evidence; their bootstrap statistics
    #: are added to the evidence (``ex3.engine.statistics``).
    comparisons: Callable[[Any], dict[str, Comparison]] | None = None
    #: True where the protocol is the same in every profile and needs no MNIST
    #: (toy study, handwritten page): no budget of ours is reduced for it.
    budget_free: bool = False


@dataclass(frozen=True)
class World:
    """A changed world for one claim, and the verdict the claim must get there."""

    claim_id: str
    description: str
    expected: Verdict
    #: Measures the claim in this world; the base context gives only the data
    #: source (``data_dir``, ``download``): profile, seeds and protocol are the world's.
    measure: Callable[[RunContext], Evidence]


def overridden(measure: Callable[[RunContext], Evidence], overrides: Mapping[str, Any],
               seeds: int = 1) -> Callable[[RunContext], Evidence]:
    """``measure`` under a tiny, overridden quick protocol (a falsification world's)."""
    def in_world(base: RunContext) -> Evidence:
        ctx = dataclasses.replace(base, profile="quick", seeds=seeds, master_seed=0,
                                  overrides=tuple(overrides.items()))
        return measure(ctx)
    return in_world


# --------------------------------------------------------------------------- studies

FigureFn = Callable[[RunContext], "Figure"]


class Study(abc.ABC):
    """One section of the report: the unit a new section adds (DeepOBS's test problem).

    Subclasses set ``name`` (the package's name) and implement ``claims``
    (each names the report's section) and ``protocol``; the rest has a
    default for a section that does not need it. Methods import their
    modules when called, so listing the studies stays cheap.
    """

    name: ClassVar[str]
    #: True when the study trains on MNIST (the data are checked before a run starts).
    needs_mnist: ClassVar[bool] = False

    @abc.abstractmethod
    def claims(self) -> tuple[Claim, ...]:
        """The section's claims, in the report's order."""

    @abc.abstractmethod
    def protocol(self, ctx: RunContext) -> Any:
        """The declared protocol under ``ctx`` (a frozen dataclass, or a tuple of them)."""

    def seed_count(self, ctx: RunContext) -> int | None:
        """How many seeds the protocol draws under ``ctx`` (None: not seeded)."""
        protocols = self.protocol(ctx)
        first = protocols[0] if isinstance(protocols, tuple) else protocols
        if hasattr(first, "seeds"):
            return len(first.seeds)
        return 1 if hasattr(first, "seed") else None

    def planned_runs(self, ctx: RunContext) -> list[RunSpec]:
        """The MNIST runs measuring will ask for (trained ahead in parallel); none by default."""
        return []

    def figures(self) -> Mapping[str, FigureFn]:
        """Figure name -> drawing function."""
        return {}

    def worlds(self) -> list[World]:
        """Falsification worlds for the section's claims."""
        return []

    def neighbourhood(self, profile: str) -> Neighbourhood | None:
        """The open choices of the protocol in ``profile`` (None: not declared)."""
        return None

    def prepare(self, contexts: list[RunContext], workers: int = 1) -> None:
        """Train the declared protocol (``contexts[0]``) and its neighbours its own way.

        A robustness sweep calls this first; a study whose runs go through the
        run cache needs nothing here (its planned runs are prefetched).
        """
        return None
