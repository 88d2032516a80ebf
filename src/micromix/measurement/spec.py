"""What a mix model is asked: the specification, lift tests, and what the outcome counts.

:class:`MMMSpec` names the columns, curves and options and validates itself (one
:class:`~micromix.errors.ConfigError` sentence per problem); :class:`LiftTest` is an experiment
result that calibrates the fit; :func:`lift_tests_from_frame` reads them from a table.

Quickstart
----------
>>> from micromix.measurement.spec import MMMSpec
>>> MMMSpec(date_col="week", target="orders", channels=("tiktok",)).outcome
'conversions'
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from micromix.errors import ColumnNotFoundError, ConfigError, DataValidationError
from micromix.measurement.transforms import ADSTOCKS, SATURATIONS
from micromix.schema.values import (
    blank_cells,
    currency_code,
    read_numbers,
    read_text,
    read_timestamps,
    refuse_first,
)

__all__ = [
    "CONVERSION_NAMES",
    "DEFAULT_DRAWS",
    "DEFAULT_INTERVAL",
    "LIFT_TEST_COLUMNS",
    "LIFT_TEST_PERIOD_COLUMNS",
    "OUTCOMES",
    "TRENDS",
    "LiftTest",
    "MMMSpec",
    "lift_tests_from_frame",
]

#: default number of parameter draws for intervals
DEFAULT_DRAWS = 300
#: default interval mass
DEFAULT_INTERVAL = 0.9
TRENDS = ("linear", "quadratic", "none")
#: what the target counts: money (reported as ROAS) or conversions (reported as CPA)
OUTCOMES = ("revenue", "conversions")
#: target names read as conversions when ``outcome="auto"``
CONVERSION_NAMES = re.compile(
    r"conversion|order|purchase|transaction|sign_?up|lead|install|subscriber|units|customers",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class LiftTest:
    """A lift-test result used to calibrate the mix model.

    Parameters
    ----------
    channel : str
        Channel tested.
    spend : float
        Spend per period in the channel before the test (the operating point).
    delta_spend : float
        Change in spend per period during the test (positive for a boost, negative for a holdout
        / go-dark test that removed spend).
    delta_outcome : float
        Measured incremental outcome per period caused by the change, in target units.
    sigma : float
        Standard error of ``delta_outcome``.
    start, end : str, optional
        First and last period (dates) of a **go-dark holdout** run over the modelled data: the
        test measured what the channel's actual spend over those periods added, per period,
        so it calibrates the model's contribution over the same periods (with their real,
        varying spend) rather than a steady-state curve at ``spend``. Needs
        ``delta_spend == -spend``. Without them the test is a steady-state change of spend.
    """

    channel: str
    spend: float
    delta_spend: float
    delta_outcome: float
    sigma: float
    start: str | None = None
    end: str | None = None

    def __post_init__(self) -> None:
        for name in ("spend", "delta_spend", "delta_outcome", "sigma"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ConfigError(f"lift test {name}={v!r} must be a finite number")
        if self.sigma <= 0:
            raise ConfigError(f"lift test sigma={self.sigma!r} must be > 0 (its standard error)")
        if self.spend < 0 or self.spend + self.delta_spend < 0:
            raise ConfigError(
                f"lift test on {self.channel!r}: spend={self.spend} and spend+delta_spend="
                f"{self.spend + self.delta_spend} must both be >= 0"
            )
        if (self.start is None) != (self.end is None):
            raise ConfigError(
                f"lift test on {self.channel!r}: give both start and end (the holdout's first "
                "and last period) or neither"
            )
        if self.start is not None:
            try:
                a, b = pd.Timestamp(self.start), pd.Timestamp(self.end)
            except (TypeError, ValueError) as exc:
                raise ConfigError(
                    f"lift test on {self.channel!r}: start={self.start!r} / end={self.end!r} "
                    "are not dates; write them as YYYY-MM-DD"
                ) from exc
            if b < a:
                raise ConfigError(
                    f"lift test on {self.channel!r}: end {self.end} is before start {self.start}"
                )
            if not math.isclose(self.delta_spend, -self.spend, rel_tol=1e-9, abs_tol=1e-9):
                raise ConfigError(
                    f"lift test on {self.channel!r}: a holdout over periods ({self.start} to "
                    f"{self.end}) is a go-dark test, so delta_spend must be -spend "
                    f"({-self.spend}), got {self.delta_spend}"
                )

    @property
    def over_periods(self) -> bool:
        """Whether this is a go-dark holdout over dated periods of the data."""
        return self.start is not None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if self.start is None:  # saved models and files without periods stay as they were
            d.pop("start")
            d.pop("end")
        return d


@dataclass(frozen=True)
class MMMSpec:
    """What to model: columns, curves and options. Validates itself.

    Parameters
    ----------
    date_col, target : str
        Date column and outcome column (revenue or conversions per period).
    outcome : {"auto", "revenue", "conversions"}
        What ``target`` counts. Revenue models report ROAS, conversion models CPA. ``"auto"``
        reads conversions when the target's name says so (``conversions``, ``orders``,
        ``purchases``, ``leads`` ...) and revenue otherwise; the resolved value is kept.
    channels : tuple of str
        Paid channels: their columns hold spend.
    organic : tuple of str
        Organic channels (no spend): volumes such as user posts or organic impressions.
    controls : tuple of str
        Other drivers (price, promotions, events as 0/1 columns).
    adstock, saturation : str
        Registered curve names (see :mod:`micromix.measurement.transforms`).
    l_max : int
        Maximum carry-over in periods.
    yearly_seasonality : int
        Fourier order of the yearly cycle (0 disables it).
    trend : str
        ``"linear"`` or ``"none"``.
    lift_tests : tuple of LiftTest
        Experiment results to calibrate against.
    n_draws : int
        Parameter draws for intervals.
    interval : float
        Interval mass, e.g. 0.9.
    seed : int
        Random seed for starts and draws.
    currency : str or None
        ISO 4217 code of the spend (and of a revenue target), e.g. ``EUR``; ``None`` when
        unknown, and money figures are then in the data's own unit (:attr:`money_unit`).
    """

    date_col: str
    target: str
    channels: tuple[str, ...]
    outcome: str = "auto"
    organic: tuple[str, ...] = ()
    controls: tuple[str, ...] = ()
    adstock: str = "geometric"
    saturation: str = "logistic"
    l_max: int = 8
    yearly_seasonality: int = 2
    trend: str = "linear"
    lift_tests: tuple[LiftTest, ...] = ()
    n_draws: int = DEFAULT_DRAWS
    interval: float = DEFAULT_INTERVAL
    seed: int = 0
    currency: str | None = None

    def __post_init__(self) -> None:
        if self.currency is not None:
            code = currency_code(self.currency, what="the spend's currency")
            object.__setattr__(self, "currency", code)
        for name in ("channels", "organic", "controls", "lift_tests"):
            v = getattr(self, name)
            if isinstance(v, str):
                object.__setattr__(self, name, (v,))
            else:
                object.__setattr__(self, name, tuple(v))
        if self.outcome == "auto":
            guess = "conversions" if CONVERSION_NAMES.search(self.target) else "revenue"
            object.__setattr__(self, "outcome", guess)
        if self.outcome not in OUTCOMES:
            raise ConfigError(
                f"outcome={self.outcome!r} is invalid; use auto, {' or '.join(OUTCOMES)}"
            )
        if not self.channels and not self.organic:
            raise ConfigError("channels is empty; name at least one paid or organic channel")
        cols = [*self.channels, *self.organic, *self.controls]
        dup = sorted({c for c in cols if cols.count(c) > 1})
        if dup:
            raise ConfigError(f"column(s) {dup} are listed twice; each column has one role")
        if self.target in cols or self.date_col in cols:
            raise ConfigError(
                f"target {self.target!r} / date {self.date_col!r} cannot also be a channel or control"
            )
        if self.adstock not in ADSTOCKS:
            raise ConfigError(
                f"adstock={self.adstock!r} is not registered; choose one of {ADSTOCKS.names()}"
            )
        if self.saturation not in SATURATIONS:
            raise ConfigError(
                f"saturation={self.saturation!r} is not registered; choose one of "
                f"{SATURATIONS.names()}"
            )
        if self.trend not in TRENDS:
            raise ConfigError(f"trend={self.trend!r} is invalid; choose one of {list(TRENDS)}")
        if not (0 <= self.yearly_seasonality <= 10):
            raise ConfigError(
                f"yearly_seasonality={self.yearly_seasonality!r} must be an integer from 0 to 10"
            )
        if not (1 <= self.l_max <= 104):
            raise ConfigError(f"l_max={self.l_max!r} must be between 1 and 104 periods")
        if not (0.5 <= self.interval < 1):
            raise ConfigError(f"interval={self.interval!r} must be in [0.5, 1)")
        if not (0 <= self.n_draws <= 5000):
            raise ConfigError(f"n_draws={self.n_draws!r} must be between 0 and 5000")
        media = set(self.channels) | set(self.organic)
        for lt in self.lift_tests:
            if lt.channel not in media:
                raise ConfigError(
                    f"lift test channel {lt.channel!r} is not a modelled channel {sorted(media)}"
                )

    @property
    def media(self) -> tuple[str, ...]:
        return (*self.channels, *self.organic)

    @property
    def money_unit(self) -> str:
        """The currency code, or what the money figures are in when it is not known."""
        return self.currency or "data's unit (pass --currency)"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["lift_tests"] = [lt.to_dict() for lt in self.lift_tests]
        for k in ("channels", "organic", "controls"):
            d[k] = list(d[k])
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MMMSpec:
        d = dict(d)
        d["lift_tests"] = tuple(LiftTest(**lt) for lt in d.get("lift_tests", ()))
        for k in ("channels", "organic", "controls"):
            d[k] = tuple(d.get(k, ()))
        return cls(**d)


#: columns of a lift-test file, in order (``start`` and ``end`` are optional)
LIFT_TEST_COLUMNS = ("channel", "spend", "delta_spend", "delta_outcome", "sigma")
#: optional columns of a lift-test file: the periods of a go-dark holdout
LIFT_TEST_PERIOD_COLUMNS = ("start", "end")


def lift_tests_from_frame(
    df: pd.DataFrame, source: str = "lift tests", *, dayfirst: bool | None = None
) -> tuple[LiftTest, ...]:
    """Lift tests from a table with :data:`LIFT_TEST_COLUMNS` (one row per test).

    Numbers and dates are read by the project's readers (:mod:`micromix.schema.values`: the
    same limit on amounts, no infinite values, the same time window; ``dayfirst`` gives the
    order of ``d/m/y`` dates, None detects it). Rows are counted from 1 (the header not
    counted), as the other readers count.

    Raises
    ------
    ColumnNotFoundError
        A column is missing.
    DataValidationError
        A value is not a number, not a date or not a valid test (naming the row and column).
    """
    miss = [c for c in LIFT_TEST_COLUMNS if c not in df.columns]
    if miss:
        raise ColumnNotFoundError(
            f"{source}: lift-test file lacks column(s) {miss}; it needs {list(LIFT_TEST_COLUMNS)}"
        )
    df = df.reset_index(drop=True)
    where = f"{source}: row {{}}, column {{!r}}"
    channels = read_text(df["channel"]).values
    _refuse_empty(channels.isna().to_numpy(), where, "channel", "name the channel it measured")
    numbers: dict[str, list[float]] = {}
    for col in LIFT_TEST_COLUMNS[1:]:
        raw = df[col]
        got = read_numbers(raw.astype(object) if pd.api.types.is_numeric_dtype(raw) else raw)
        values = got.values.to_numpy(dtype=float, na_value=math.nan)
        blank = blank_cells(raw)
        for i in range(len(df)):
            why = got.problems.iat[i]
            placeholder = why is None and math.isnan(values[i]) and not blank[i]  # 'n/a', '-'
            if placeholder or (why is not None and why.endswith("is not a number")):
                raise DataValidationError(
                    f"{where.format(i + 1, col)} is {raw.iat[i]!r}, not a number; fix the file"
                )
        refuse_first(
            got.problems.notna().to_numpy(),
            lambda row, c=col: where.format(row, c),
            got.problems,
            "fix the file: each test's amounts as plain numbers",
        )
        _refuse_empty(
            pd.isna(values),
            where,
            col,
            "every test needs spend, delta_spend, delta_outcome and sigma",
        )
        numbers[col] = values.tolist()
    periods: dict[str, list[str | None]] = {}
    for col in LIFT_TEST_PERIOD_COLUMNS:
        if col not in df.columns:
            periods[col] = [None] * len(df)
            continue
        got = read_timestamps(df[col], dayfirst=dayfirst)
        refuse_first(
            got.problems.notna().to_numpy(),
            lambda row, c=col: where.format(row, c),
            got.problems,
            "write the holdout's first and last period as YYYY-MM-DD",
        )
        periods[col] = [_period_text(t) for t in got.values.tolist()]
    tests = []
    for i in range(len(df)):
        try:
            tests.append(
                LiftTest(
                    str(channels.iat[i]),
                    **{col: numbers[col][i] for col in LIFT_TEST_COLUMNS[1:]},
                    start=periods["start"][i],
                    end=periods["end"][i],
                )
            )
        except ConfigError as exc:
            raise DataValidationError(f"{source}: row {i + 1}: {exc}") from None
    return tuple(tests)


def _refuse_empty(empty: Any, where: str, col: str, hint: str) -> None:
    """One error for the first empty cell of ``col`` (``where`` formats row and column)."""
    if empty.any():
        i = int(empty.argmax())
        raise DataValidationError(
            f"{where.format(i + 1, col)} is empty ({int(empty.sum())} such row(s)); {hint}"
        )


def _period_text(ts: Any) -> str | None:
    """A holdout's date as text: the day (``2021-01-04``), with the time only when it has one."""
    if ts is None or pd.isna(ts):
        return None
    t = pd.Timestamp(ts).tz_convert(None)
    return t.date().isoformat() if t == t.normalize() else t.isoformat()
