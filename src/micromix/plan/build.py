"""One plan a marketer can act on, reconciled from all the evidence of a store.

:func:`build_plan` turns the :class:`~micromix.plan.Evidence` of a store into a :class:`Plan`:
the budget across strategies (:mod:`micromix.plan.allocate`, led by the randomised holdouts,
with the mix model as a check), then what to target, amplify, hire and answer
(:mod:`micromix.plan.actions`), each with the expected incremental effect, the evidence and how
sure it is. On simulated data the plan also carries the simulator's truth for the current mix,
the recommendation and the optimum (:mod:`micromix.plan.truth`).
:func:`micromix.plan.make_plan` gathers the evidence and builds the plan in one call (what
``micromix plan`` does).

Quickstart
----------
>>> from micromix.simulate import SimConfig, simulate
>>> from micromix.store import Store
>>> from micromix.ingest.market import load_market
>>> st = Store.open(":memory:")
>>> _ = load_market(st, simulate(SimConfig(users=3_000, days=28, seed=2)))
>>> from micromix.plan import make_plan
>>> plan = make_plan(st, n_boot=40)
>>> sorted(plan.to_dict())[:3]
['actions', 'allocation', 'budget']
>>> plan.truth is not None
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from micromix.audience.policy import TargetingSpec
from micromix.audience.workflows import target_stored_audience
from micromix.errors import ConfigError, MicromixError
from micromix.measurement import strategy_panel
from micromix.metrics.compare import ComparisonResult
from micromix.metrics.currency import currency_symbol, store_currency
from micromix.plan.actions import (
    Action,
    amplify_actions,
    hire_actions,
    money,
    per_money,
    reallocate_actions,
    reallocation_measured,
    respond_actions,
    target_actions,
)
from micromix.plan.allocate import Reallocation, reallocate
from micromix.plan.returns import StrategyReturns, strategy_returns
from micromix.plan.truth import PlanTruth, simulated_truth
from micromix.store import Store


class Evidence(Protocol):
    """What a plan reads of :class:`micromix.plan.Evidence`."""

    level: float
    comparisons: dict[str, ComparisonResult]
    mix: Any
    content: Any
    creators: Any
    moments: Any
    kpis: pd.DataFrame | None
    kpis_by_strategy: pd.DataFrame | None
    kpi_source: str | None
    lifetime: dict[str, pd.DataFrame] | None


__all__ = [
    "LIFETIME_ROAS_COLUMNS",
    "PLAN_LIFETIME_DIMENSIONS",
    "PLAN_PARTS",
    "UNASSIGNED",
    "AdReportSpend",
    "LevelOverlap",
    "Plan",
    "ad_report_spend",
    "build_plan",
    "dated_ad_rows",
    "horizon_days",
    "level_overlaps",
    "one_level_per_platform",
]

#: the evidence parts a plan reads
PLAN_PARTS: tuple[str, ...] = ("overview", "comparisons", "lifetime", "mix", "content", "moments")
#: the lifetime returns a plan reads: by strategy only (the allocation's decision space)
PLAN_LIFETIME_DIMENSIONS: tuple[str, ...] = ("strategy",)
#: lifetime columns each allocation row carries (null without customer lifetime values)
LIFETIME_ROAS_COLUMNS: tuple[str, ...] = (
    "lifetime_roas",
    "lifetime_roas_low",
    "lifetime_roas_high",
)


@dataclass
class Plan:
    """The recommendation (see the module); :meth:`to_dict` is ``micromix plan --json``."""

    reallocation: Reallocation
    returns: StrategyReturns
    actions: list[Action]
    truth: PlanTruth | None
    #: ISO code of every money figure (:func:`micromix.metrics.store_currency`); None when
    #: the data states no currency: amounts are then shown without a symbol, never as ``$``
    currency: str | None = None
    #: reconciliation statements (agreements, disagreements, cautions), one sentence each
    notes: list[str] = field(default_factory=list)
    #: the mix model's own reallocation of the same budget, per strategy (None without one)
    mix_only: dict[str, float] | None = None
    #: lifetime ROAS per strategy (``strategy``, ``lifetime_roas``, ``_low``, ``_high``) when
    #: the store has repeat buyers to fit customer lifetime values on (None otherwise)
    lifetime: pd.DataFrame | None = None
    #: the store has ad platform reports and no events: no incremental evidence at all
    attributed_only: bool = False

    @property
    def symbol(self) -> str:
        """The symbol money is shown with (``""`` when the currency is not stated)."""
        return currency_symbol(self.currency)

    @property
    def measured(self) -> bool:
        """Whether holdouts measure enough strategies for the expected gain to be defined
        (:func:`~micromix.plan.actions.reallocation_measured`; never on ad reports alone)."""
        return not self.attributed_only and reallocation_measured(self.returns)

    @property
    def allocation(self) -> pd.DataFrame:
        return self.reallocation.table()

    def headline(self) -> str:
        """One sentence: what the plan changes and what it should bring."""
        r = self.reallocation
        sym = self.symbol
        if self.attributed_only:
            return (
                f"Keep today's split of {money(r.budget, sym)} over the next {r.horizon_days} "
                "days: no randomised holdout measures yet what each strategy adds, and the ad "
                "platforms' own ROAS is no basis for moving money."
            )
        if not self.measured:
            return (
                f"Keep today's split of {money(r.budget, sym)} over the next {r.horizon_days} "
                "days: randomised holdouts do not yet measure what the strategies add, so "
                "there is nothing to move money on."
            )
        if not any(a.kind == "reallocate" and a.amount for a in self.actions):
            return (
                f"Keep today's split of {money(r.budget, sym)} over the next {r.horizon_days} "
                "days: the evidence does not yet separate the strategies enough to move money."
            )
        moved = float(np.clip(r.recommended - r.current, 0, None).sum())
        return (
            f"Moving {money(moved, sym)} of the {money(r.budget, sym)} paid budget of the next "
            f"{r.horizon_days} days as below should add {money(r.gain, sym)} of incremental revenue ({r.level:.0%} interval "
            f"{money(r.gain_low, sym)} to {money(r.gain_high, sym)}; chance it beats today's mix "
            f"{r.prob_gain:.0%})."
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``micromix plan --json`` (None where a figure is undefined)."""
        r = self.reallocation
        measured = self.measured
        rows = []
        lt = self.lifetime.set_index("strategy") if self.lifetime is not None else None
        for row in self.allocation.to_dict(orient="records"):
            out_row = {k: _num(v) if k != "strategy" else v for k, v in row.items()}
            for col in LIFETIME_ROAS_COLUMNS:  # null where no lifetime value could be fitted
                hit = lt is not None and row["strategy"] in lt.index
                out_row[col] = _num(lt.loc[row["strategy"], col]) if hit else None  # type: ignore[union-attr]
            rows.append(out_row)
        out: dict[str, Any] = {
            "currency": self.currency,
            "horizon_days": r.horizon_days,
            "budget": r.budget,
            "allocation": rows,
            # undefined (null) when no holdout measures what moving money would change; a
            # measured keep gains exactly 0
            "expected_gain": _num(r.gain) if measured else None,
            "expected_gain_low": _num(r.gain_low) if measured else None,
            "expected_gain_high": _num(r.gain_high) if measured else None,
            "probability_of_gain": _num(r.prob_gain) if measured else None,
            "level": r.level,
            "headline": self.headline(),
            "actions": [a.to_dict() for a in self.actions],
            "returns": [
                {k: _num(v) if isinstance(v, float) else v for k, v in row.items()}
                for row in self.returns.table.to_dict(orient="records")
            ],
            "notes": list(self.notes),
        }
        if self.truth is not None:
            out["truth"] = {
                k: _num(v) if isinstance(v, float) else v for k, v in self.truth.to_dict().items()
            }
        return out


def _num(v: Any) -> float | None:
    """A JSON number, or None for NaN / infinity (an undefined ratio is null, not 0)."""
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def horizon_days(store: Store, evidence: Evidence | None = None) -> int:
    """Days the data covers (the plan's horizon: the same length as the data).

    The mix model's panel when the evidence has one, else the store's daily strategy panel;
    on a store of ad reports alone, the days from their first to their last (a row of a range
    report covers its days to ``date_end``).
    """
    if evidence is not None and evidence.kpi_source == "ads" and store.count("events") == 0:
        return ad_report_spend(store).days
    panel = (
        evidence.mix.mix.panel
        if evidence is not None and evidence.mix is not None
        else strategy_panel(store)
    )
    if panel.empty:
        return 0
    dates = pd.to_datetime(panel["date"])
    return int((dates.max() - dates.min()).days) + 1


#: strategy of ad report rows that carry none (a canonical file without one)
UNASSIGNED = "unassigned"


@dataclass
class AdReportSpend:
    """Spend per strategy of a store of ad reports alone, over the plan's horizon.

    Each platform's reports cover their own days (``date`` to ``date_end``); the horizon is the
    longest of them and a platform whose reports cover fewer days is counted at its daily rate
    over the horizon (said in ``notes``). ``attributed`` has the platforms' own ROAS per strategy
    and per platform (``roas`` NaN where they report no conversion value).
    """

    spend: pd.Series
    days: int
    notes: list[str]
    attributed: dict[str, pd.DataFrame]


def ad_report_spend(store: Store, symbol: str = "$") -> AdReportSpend:
    """Today's spend per strategy from the ad reports (see :class:`AdReportSpend`).

    A platform's period is the days its rows with a spend figure cover, zero-spend days
    included (a report of 31 days with spend on one covers 31 days, not 1); a platform that
    spent nothing at all is left out (a note says so) and sets no period. A row without a
    spend figure is not spend 0: its spend is unknown, it covers no days and a note says how
    many such rows a platform has.

    Raises
    ------
    ConfigError
        A platform with reports at two levels (campaign and ad: adding them would count its
        spend twice), spend rows without a date, or no spend at all.
    """
    want = ["platform", "level", "strategy", "date", "date_end", "spend", "conversion_value"]
    have = set(store.columns("ad_performance"))
    ads = store.read("ad_performance", columns=[c for c in want if c in have])
    for c in want:
        if c not in ads:
            ads[c] = None
    ads["spend"] = pd.to_numeric(ads["spend"], errors="coerce")
    if not (ads["spend"] > 0).any():
        raise ConfigError(
            "the ad reports carry no spend, so there is no budget to plan; ingest reports with "
            "spend"
        )
    ads = dated_ad_rows(ads)
    undated = ads.loc[ads["start"].isna() & (ads["spend"] > 0), "platform"].unique()
    if len(undated):
        raise ConfigError(
            f"the {', '.join(sorted(undated))} report rows with spend have no date, so the "
            "period the spend covers is unknown; download the report with a date range or by day"
        )
    unknown = ads[ads["spend"].isna()]
    ads = ads[ads["spend"].notna() & ads["start"].notna()].copy()
    # a platform that spent nothing is not in the plan, and its report's length (a paused
    # account's year) must not set the horizon the others are scaled to
    paying = ads.groupby("platform")["spend"].sum()
    idle = sorted(str(p) for p in paying.index[paying <= 0])
    ads = ads[ads["platform"].isin(paying.index[paying > 0])].copy()
    _refuse_overlapping_levels(ads)
    per = ads.groupby("platform").agg(first=("start", "min"), last=("end", "max"))
    per["days"] = (per["last"] - per["first"]).dt.days + 1
    days = int(per["days"].max())
    scale = days / per["days"]
    ads["scaled"] = ads["spend"] * ads["platform"].map(scale)
    notes = _unknown_spend_notes(unknown, set(per.index))
    if idle:
        notes.append(
            f"The {', '.join(idle)} reports show no spend, so they are not in the plan and "
            "their period does not set its horizon."
        )
    short = per[per["days"] < days]
    for platform, r in short.iterrows():
        own = float(ads.loc[ads["platform"] == platform, "spend"].sum())
        notes.append(
            f"The {platform} reports cover {_days(int(r['days']))} ({r['first']:%Y-%m-%d} to "
            f"{r['last']:%Y-%m-%d}, {money(own, symbol, _digits(own))}); the plan counts them "
            f"at that daily rate over its {days} days "
            f"({money(own * days / r['days'], symbol, _digits(own * days / r['days']))})."
        )
    attributed = {}
    for dim in ("strategy", "platform"):
        g = ads.groupby(dim).agg(
            spend=("spend", "sum"),
            value=(
                "conversion_value",
                lambda v: pd.to_numeric(v, errors="coerce").sum(min_count=1),
            ),
        )
        g = g[g["spend"] > 0]
        g["roas"] = g["value"] / g["spend"]
        attributed[dim] = g.sort_values("spend", ascending=False)
    spend = ads.groupby("strategy")["scaled"].sum()
    return AdReportSpend(spend[spend > 0], days, notes, attributed)


def dated_ad_rows(ads: pd.DataFrame) -> pd.DataFrame:
    """Ad report rows with ``platform`` and ``level`` filled and the days each covers
    (``start`` to ``end``: ``date`` to ``date_end``, else the one day; NaT without a date)."""
    ads = ads.copy()
    ads["platform"] = ads["platform"].fillna("unknown platform").astype(str)
    ads["strategy"] = ads["strategy"].fillna(UNASSIGNED).astype(str)
    ads["level"] = ads["level"].fillna("").astype(str)
    if "currency" in ads.columns:
        ads["currency"] = ads["currency"].fillna("").astype(str).str.strip().str.upper()
    start = pd.to_datetime(ads["date"])
    end = pd.to_datetime(ads["date_end"]).fillna(start)
    ads["start"], ads["end"] = start.dt.normalize(), end.dt.normalize()
    return ads


def _unknown_spend_notes(unknown: pd.DataFrame, planned: set[str]) -> list[str]:
    """Rows without a spend figure, per platform: their spend is unknown, not 0."""
    notes = []
    for platform, g in unknown.groupby("platform"):
        first, last = g["start"].min(), g["end"].max()
        when = "" if pd.isna(first) else f" ({_span(first, last)})"
        rows = "1 row" if len(g) == 1 else f"{len(g):,} rows"
        notes.append(
            f"{rows} of the {platform} reports{when} "
            + ("gives" if len(g) == 1 else "give")
            + " no spend figure: that spend is unknown (not 0) and is not in the plan's budget"
            + ("." if platform in planned else ", nor is the platform, which states none.")
        )
    return notes


def _level_key(ads: pd.DataFrame) -> list[str]:
    """One account's spend: a platform in one currency (two currencies are two accounts)."""
    return ["platform", "currency"] if "currency" in ads.columns else ["platform"]


@dataclass(frozen=True)
class LevelOverlap:
    """Two levels of one platform's reports (in one currency) over shared days (``first`` to
    ``last``; NaT when a level has undated rows, which may cover any day)."""

    account: tuple[Any, ...]
    level_a: str
    level_b: str
    first: Any
    last: Any

    @property
    def platform(self) -> str:
        return str(self.account[0])


def level_overlaps(ads: pd.DataFrame) -> list[LevelOverlap]:
    """Pairs of levels of one platform (per currency, when the rows carry one) whose rows cover
    overlapping days (``ads`` as :func:`dated_ad_rows` makes it).

    Levels over days that do not overlap are different spend; a level with undated rows may
    cover any day, so it overlaps every other level of its platform.
    """
    key = _level_key(ads)
    spans = ads.groupby([*key, "level"], dropna=False).agg(
        first=("start", "min"),
        last=("end", "max"),
        undated=("start", lambda s: bool(s.isna().any())),
    )
    found = []
    for account, g in spans.groupby(level=key, dropna=False):
        account = account if isinstance(account, tuple) else (account,)
        rows = list(g.reset_index().itertuples(index=False))
        for i, a in enumerate(rows):
            for b in rows[i + 1 :]:
                if a.undated or b.undated:
                    found.append(LevelOverlap(account, a.level, b.level, pd.NaT, pd.NaT))
                elif a.first <= b.last and b.first <= a.last:
                    first, last = max(a.first, b.first), min(a.last, b.last)
                    found.append(LevelOverlap(account, a.level, b.level, first, last))
    return found


def one_level_per_platform(ads: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The rows of ``ads`` without a second level over the same days of one platform.

    Where two levels overlap (:func:`level_overlaps`), the one with more impressions is read
    (it sees more of the platform's delivery) and the other is left out whole, each said in
    one of the sentences returned. ``ads`` as :func:`dated_ad_rows` makes it.
    """
    overlaps = level_overlaps(ads)
    if not overlaps:
        return ads, []
    key = _level_key(ads)
    imps = pd.to_numeric(ads["impressions"], errors="coerce") if "impressions" in ads else 0.0
    size = ads.assign(_imps=imps).groupby([*key, "level"], dropna=False)["_imps"].sum()
    drop = pd.Series(False, index=ads.index)
    notes = []
    for account, g in ads.groupby(key, dropna=False):
        account = account if isinstance(account, tuple) else (account,)
        clash = {frozenset((o.level_a, o.level_b)) for o in overlaps if o.account == account}
        kept: list[str] = []
        for level in sorted(g["level"].unique(), key=lambda v: -size[(*account, v)]):
            over = [k for k in kept if frozenset((level, k)) in clash]
            if not over:
                kept.append(level)
                continue
            drop |= ads.index.isin(g.index[g["level"] == level])
            notes.append(
                f"the {account[0]} reports "
                + (f"in {account[1]} " if len(account) > 1 else "")
                + f"at {level or 'unlabelled'} level cover the same days as its "
                f"{over[0] or 'unlabelled'} level, which counts more impressions and is the "
                "one read (each counts the same spend once)"
            )
    return ads[~drop], notes


def _people(store: Store) -> int | None:
    """People in the randomised holdouts (None without experiments)."""
    if not store.has_table("experiments") or store.count("experiments") == 0:
        return None
    return int(store.read("experiments", columns=["unit_id"])["unit_id"].nunique())


def _refuse_overlapping_levels(ads: pd.DataFrame) -> None:
    """A platform's reports at two levels (campaign and ad) over the same days count the same
    spend twice: refused. Levels over days that do not overlap are different spend."""
    for o in level_overlaps(ads):
        names = [v or "unlabelled" for v in (o.level_a, o.level_b)]
        raise ConfigError(
            f"the {o.platform} reports are at two levels ({names[0]} and {names[1]}) over the "
            f"same days ({o.first:%Y-%m-%d} to {o.last:%Y-%m-%d}): that spend would be counted "
            "once per level; plan on a store that holds one level of those days"
        )


def _sentence(text: str) -> str:
    text = text.rstrip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _span(first: Any, last: Any) -> str:
    return f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _digits(amount: float) -> int:
    """Cents for small amounts (AUD 0.44 is not AUD 0)."""
    return 2 if abs(amount) < 100 else 0


def _current_spend(evidence: Evidence, ads: AdReportSpend | None = None) -> pd.Series:
    if ads is not None:
        return ads.spend
    cmp = evidence.comparisons.get("ugc-vs-paid")
    if cmp is not None:
        t = cmp.table
        return t.set_index("strategy")["spend"].astype(float)
    k = evidence.kpis_by_strategy
    if k is None or evidence.kpi_source != "events":
        raise ConfigError(
            "the plan needs spend per strategy, from events with strategy and cost or from ad "
            "platform reports; ingest them (or run micromix demo)"
        )
    spend = k.dropna(subset=["strategy"]).set_index("strategy")["spend"].astype(float)
    if not (spend > 0).any():
        raise ConfigError(
            "the events carry no spend, so there is no budget to plan; ingest events with "
            "strategy and cost"
        )
    return spend


def _attributed_notes(ads: AdReportSpend, symbol: str) -> list[str]:
    """What the ad platforms report, labelled as theirs (a store of ad reports alone)."""
    notes = [
        "No randomised holdout in the store: the strategies' incremental returns are unknown, "
        "so the plan keeps today's split. The ROAS below is what the ad platforms attribute "
        "to themselves (each counts conversions that would partly have happened anyway), not "
        "what the spend added.",
        *ads.notes,
    ]
    for dim, g in ads.attributed.items():
        shown = [
            f"{name} {r['roas']:.2f} on {money(float(r['spend']), symbol, _digits(r['spend']))} "
            "of spend"
            for name, r in g.iterrows()
            if pd.notna(r["roas"])
        ]
        missing = [str(name) for name, r in g.iterrows() if pd.isna(r["roas"])]
        if shown:
            notes.append(
                f"Attributed ROAS by {dim}, as the platforms report it, over each report's own "
                f"days: {'; '.join(shown)}."
            )
        if missing:
            notes.append(
                f"The reports of {dim} {', '.join(missing)} give no conversion value, so "
                "their attributed ROAS is unknown."
            )
    if UNASSIGNED in ads.attributed["strategy"].index:
        notes.append(
            f"Spend without a strategy in its report is planned as '{UNASSIGNED}'; give the rows "
            "a strategy column to plan it with the others."
        )
    return notes


def _mix_only(evidence: Evidence, budget: float) -> dict[str, float] | None:
    if evidence.mix is None or not evidence.mix.usable:
        return None
    from micromix.measurement import strategy_of
    from micromix.optimize import recommend_budget

    try:
        rec = recommend_budget(evidence.mix.mix.model, budget)
    except MicromixError:
        return None
    return {
        strategy_of(c): float(v) for c, v in zip(rec.recommended.channels, rec.recommended.spend)
    }


def _reconcile(
    plan: Reallocation, returns: StrategyReturns, mix_only: dict[str, float] | None, symbol: str
) -> list[str]:
    """Sentences on where the mix model and the experiments agree or not."""
    notes: list[str] = []
    t = returns.table.set_index("strategy")
    dis = [s for s, r in t.iterrows() if r["agreement"] == "disagree"]
    if dis:
        notes.append(
            "The mix model and the holdouts disagree on "
            + ", ".join(
                f"{s} (mix model {t.loc[s, 'mix_roas']:.2f}, holdouts "
                f"{t.loc[s, 'holdout_roas']:.2f} {per_money(symbol)})"
                for s in dis
            )
            + ": the plan follows the randomised experiments."
        )
    elif (t["agreement"] == "agree").any():
        notes.append("The mix model's returns agree with the holdouts (their intervals overlap).")
    if mix_only:
        pos = {s: i for i, s in enumerate(plan.strategies)}
        against = []
        for s, v in mix_only.items():
            if s not in pos:
                continue
            i = pos[s]
            d_mix = v - plan.current[i]
            d_plan = plan.recommended[i] - plan.current[i]
            if abs(d_mix) >= 0.01 * plan.budget and np.sign(d_mix) != np.sign(d_plan):
                against.append(f"{s} {'+' if d_mix > 0 else ''}{money(d_mix, symbol)}")
        if against:
            moved = any(abs(d) >= 0.01 * plan.budget for d in plan.recommended - plan.current)
            notes.append(
                "Alone, the mix model would move money "
                + ("the other way (" if moved else "(")
                + ", ".join(against)
                + "): its curves are fitted on the time series, where strategies move together; "
                + (
                    "the plan follows the experiments."
                    if moved
                    else "the holdouts do not support that, so the plan does not."
                )
            )
    for a, b in returns.separated:
        notes.append(
            f"Holdouts clearly separate {a} (better) from {b}: no money moves from {a} to {b}."
        )
    return notes


def _lifetime(
    evidence: Evidence, plan: Reallocation, symbol: str = "$"
) -> tuple[pd.DataFrame | None, list[str]]:
    """Lifetime ROAS of the plan's strategies, and sentences where it questions a move.

    The allocation rests on incremental first-purchase returns (the holdouts); lifetime ROAS
    (revenue to date plus predicted customer lifetime value, per $) is the check: where its
    intervals clearly rank a strategy that gives money above one that receives it, the plan
    says so.
    """
    by_strategy = (evidence.lifetime or {}).get("strategy")
    if by_strategy is None or "lifetime_roas" not in by_strategy:
        return None, []
    t = by_strategy.rename(columns={"group": "strategy"})
    t = t[t["strategy"].isin(plan.strategies)][["strategy", *LIFETIME_ROAS_COLUMNS]]
    t = t[t["lifetime_roas"].notna()].reset_index(drop=True)
    if t.empty:
        return None, []
    ix = t.set_index("strategy")
    shown = ", ".join(
        f"{s} {r.lifetime_roas:.2f} "
        + (
            f"({r.lifetime_roas_low:.2f} to {r.lifetime_roas_high:.2f})"
            if np.isfinite([r.lifetime_roas_low, r.lifetime_roas_high]).all()
            else "(no interval: too few repeat buyers)"
        )
        for s, r in ix.iterrows()
    )
    notes = [
        f"Lifetime ROAS {per_money(symbol)} (first purchases plus the customers' predicted "
        f"value): {shown}; "
        "the allocation follows incremental first-purchase returns from the holdouts."
    ]
    change = dict(zip(plan.strategies, plan.recommended - plan.current))
    tol = 0.01 * plan.budget
    givers = [s for s in ix.index if change.get(s, 0.0) < -tol]
    takers = [s for s in ix.index if change.get(s, 0.0) > tol]
    for g in givers:
        for k in takers:
            if ix.loc[g, "lifetime_roas_low"] > ix.loc[k, "lifetime_roas_high"]:
                notes.append(
                    f"On lifetime value {g} clearly beats {k}, yet the plan moves money from "
                    f"{g} to {k} on first-purchase returns: weigh the customers' later "
                    "purchases before you commit that move."
                )
    return t, notes


def _audience(store: Store, evidence: Evidence, plan: Reallocation) -> dict[str, Any] | None:
    """The microtargeted audience for the micro paid spend, through every guardrail."""
    cmp = evidence.comparisons.get("micro-vs-mass")
    if cmp is None:
        return None
    t = cmp.table.set_index("strategy")
    if "micro" not in t.index or not (t.loc["micro", "spend"] > 0 and t.loc["micro", "reach"] > 0):
        return None
    k = evidence.kpis
    value = (
        float(k["revenue"].iloc[0] / k["conversions"].iloc[0])
        if k is not None and k["conversions"].iloc[0]
        else None
    )
    if not value:
        return None
    spend = float(t.loc["micro", "spend"])
    cost = spend / float(t.loc["micro", "reach"])
    try:
        res = target_stored_audience(
            store, TargetingSpec(budget=spend, cost_per_contact=cost, value_per_conversion=value)
        )
    except MicromixError:
        return None
    out = dict(res.summary)
    out["value_per_conversion"] = value
    return out


def build_plan(
    evidence: Evidence,
    store: Store,
    *,
    budget: float | None = None,
    seed: int = 0,
) -> Plan:
    """The plan from ``evidence`` (of ``store``; see the module).

    Parameters
    ----------
    evidence : Evidence
        With at least the ``comparisons`` part (``mix``, ``content`` and ``moments`` are used
        when present).
    store : Store
        The store the evidence came from (for the horizon, the currency, the audience and, on
        simulated data, the truth).
    budget : float, optional
        Total paid budget over the horizon; default: today's.

    Raises
    ------
    ConfigError
        No events with spend, a budget that is not positive, or mixed currencies.
    """
    attributed_only = store.count("events") == 0
    if attributed_only and evidence.kpi_source != "ads":
        raise ConfigError(
            "the store has no events and no ad reports with spend, so there is nothing to plan "
            "from; ingest events (with strategy and cost) or ad platform reports, or run "
            "micromix demo"
        )
    money_in = store_currency(store)
    currency = money_in.single()  # several currencies: refused, one budget needs one
    symbol = money_in.symbol
    ads = ad_report_spend(store, symbol) if attributed_only else None
    days = ads.days if ads is not None else horizon_days(store, evidence)
    spend = _current_spend(evidence, ads)
    holdouts = evidence.comparisons.get("ugc-vs-paid")
    # a mix model that failed its own checks (channels credited with more than the outcome) is
    # no evidence: the plan reads the holdouts alone
    mix = evidence.mix if evidence.mix is not None and evidence.mix.usable else None
    returns = strategy_returns(
        holdouts.table if holdouts is not None else None,
        mix.mix.summary if mix is not None else None,
        spend,
        level=evidence.level,
        mix_level=mix.mix.model.spec.interval if mix is not None else None,
    )
    plan = reallocate(returns, budget, horizon_days=days, seed=seed)
    mix_only = _mix_only(evidence, plan.budget)
    notes = [*plan.notes, *_reconcile(plan, returns, mix_only, symbol), *money_in.notes]
    if ads is not None:
        notes += _attributed_notes(ads, symbol)
    lifetime, lifetime_notes = _lifetime(evidence, plan, symbol)
    notes += lifetime_notes
    units = _people(store)
    rec = dict(zip(plan.strategies, plan.recommended))
    actions = reallocate_actions(
        plan, returns, symbol=symbol, holdout_units=units, attributed_only=attributed_only
    )
    paid_msgs = evidence.comparisons.get("micro-vs-mass")
    actions += target_actions(
        paid_msgs,
        horizon_days=days,
        audience=_audience(store, evidence, plan),
        symbol=symbol,
        seed=seed,
    )
    content = evidence.content
    actions += amplify_actions(
        content.ranked if content is not None else None,
        content.brand if content is not None else None,
        rec.get("ugc_amplified"),
        returns,
        symbol=symbol,
    )
    creators = evidence.creators
    actions += hire_actions(
        creators.tables.get("top_creators") if creators is not None else None,
        evidence.comparisons.get("creator-tiers"),
        rec.get("influencer"),
        horizon_days=days,
        symbol=symbol,
        seed=seed,
    )
    if creators is not None:  # what scoring them assumed, as 'micromix creators score' says it
        notes += [_sentence(f"Creator scoring: {n}") for n in getattr(creators, "notes", [])]
    actions += respond_actions(evidence.moments)
    truth = simulated_truth(
        store, plan.strategies, plan.current, plan.recommended, horizon_days=days
    )
    return Plan(plan, returns, actions, truth, currency, notes, mix_only, lifetime, attributed_only)
