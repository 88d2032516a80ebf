"""The plan's actions: what to do, how much, what it should bring, why, and how sure it is.

Five kinds (:data:`ACTION_KINDS`): **reallocate** the budget across strategies, **target** the
paid messages (micro vs mass, and the audience to reach), **amplify** genuine user posts,
**hire** creators, and **respond** to live micro-moments. Each builder takes evidence already
computed (:mod:`micromix.plan.evidence`, :mod:`micromix.plan.allocate`) and returns
:class:`Action` objects; none of them touches a store.

Confidence is ``high`` when randomised holdouts separate the groups the action trades between
(or the action's chance of paying off is at least 95%), ``medium`` at 80% and ``low`` below.

Quickstart
----------
>>> from micromix.plan.actions import Action, money
>>> Action("respond", "Answer the surge", "54 searches in 4 h vs 4 expected", "burst detector",
...        "high").to_dict()["kind"]
'respond'
>>> money(-885.58, "$", 2)
'-$885.58'
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from micromix.errors import ConfigError
from micromix.metrics.compare import ComparisonResult
from micromix.moments.actions import build_action
from micromix.moments.summary import MomentSummary
from micromix.plan.allocate import Reallocation, reallocate
from micromix.plan.returns import StrategyReturns, strategy_returns
from micromix.schema.display import format_money, format_signed_money, listed

__all__ = [
    "ACTION_KINDS",
    "CONFIDENCE",
    "Action",
    "amplify_actions",
    "confidence_of",
    "creator_price_symbol",
    "group_reallocation",
    "hire_actions",
    "money",
    "per_money",
    "reallocate_actions",
    "reallocation_measured",
    "respond_actions",
    "target_actions",
]

#: the kinds of action a plan holds, in the order it lists them
ACTION_KINDS: tuple[str, ...] = ("reallocate", "target", "amplify", "hire", "respond")
#: confidence labels, most sure first
CONFIDENCE: tuple[str, ...] = ("high", "medium", "low")
#: a strategy's change smaller than this share of the budget is not an action
MIN_MOVE_SHARE = 0.01
#: posts to amplify and surges to answer, at most
TOP_POSTS = 3
TOP_SURGES = 2


@dataclass
class Action:
    """One thing to do.

    ``amount`` is the money involved (spend moved or budgeted) and ``effect`` the expected
    incremental revenue it brings over the plan's horizon, with ``effect_low`` /
    ``effect_high``; each is ``None`` where the evidence cannot put a number on it.
    """

    kind: str
    what: str
    why: str
    evidence: str
    confidence: str
    amount: float | None = None
    effect: float | None = None
    effect_low: float | None = None
    effect_high: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in ACTION_KINDS:
            raise ConfigError(f"action kind {self.kind!r} is not one of {', '.join(ACTION_KINDS)}")
        if self.confidence not in CONFIDENCE:
            raise ConfigError(
                f"confidence {self.confidence!r} is not one of {', '.join(CONFIDENCE)}"
            )
        for name in ("amount", "effect", "effect_low", "effect_high"):
            v = getattr(self, name)
            if v is not None and not math.isfinite(v):
                setattr(self, name, None)
        # ``why`` is read as sentences, with "Evidence: ..." after it in the report and the
        # dashboard: it ends like one
        why = self.why.rstrip()
        self.why = why + "." if why and why[-1] not in ".!?" else why

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def money(value: float | None, symbol: str = "$", digits: int = 0) -> str:
    """``-$885.58`` style (:func:`~micromix.schema.display.format_money`, whole units by
    default)."""
    return format_money(value, symbol, digits)


def per_money(symbol: str = "$", *, of_spend: bool = False) -> str:
    """``per $``, ``per €``, ``per AUD`` (``of_spend``: ``per $ of spend``): a return per unit
    of spend in ``symbol``'s currency; ``per unit of spend`` when the currency is not stated
    (never a guessed ``$``).

    >>> per_money("€"), per_money("€", of_spend=True), per_money("")
    ('per €', 'per € of spend', 'per unit of spend')
    """
    if not symbol:
        return "per unit of spend"
    return f"per {symbol} of spend" if of_spend else f"per {symbol}"


def confidence_of(probability: float, separated: bool = False) -> str:
    """``high`` when separated by holdouts or ``probability >= 0.95``; ``medium`` at 0.8."""
    if separated or probability >= 0.95:
        return "high"
    return "medium" if probability >= 0.8 else "low"


def reallocation_measured(returns: StrategyReturns) -> bool:
    """Whether randomised holdouts measure at least two strategies' incremental return: only
    then can the plan move money between them, and only then is keeping today's split a
    measured decision (an expected gain of exactly 0) rather than no measurement at all (an
    undefined gain, ``null``)."""
    return int((returns.table["evidence"] == "holdout").sum()) >= 2


def _roas_text(row: pd.Series, level: float) -> str:
    if pd.isna(row["holdout_roas"]):
        if pd.isna(row["mix_roas"]):
            return f"{row['strategy']}: no incremental measurement"
        return (
            f"{row['strategy']} {row['mix_roas']:.2f} (mix model only, {row['mix_low']:.2f} to "
            f"{row['mix_high']:.2f})"
        )
    return (
        f"{row['strategy']} {row['holdout_roas']:.2f} ({level:.0%} interval "
        f"{row['holdout_low']:.2f} to {row['holdout_high']:.2f})"
    )


def _agreement_text(returns: StrategyReturns, strategy: str, symbol: str = "$") -> str:
    r = returns.row(strategy)
    per = per_money(symbol)
    if r["agreement"] == "agree":
        return f"the mix model agrees ({r['mix_roas']:.2f} {per})"
    if r["agreement"] == "disagree":
        return (
            f"the mix model disagrees ({r['mix_roas']:.2f} {per}, {r['mix_low']:.2f} to "
            f"{r['mix_high']:.2f}); the plan follows the randomised experiments"
        )
    return "no mix model to compare with" if pd.isna(r["mix_roas"]) else "mix model only"


def reallocate_actions(
    plan: Reallocation,
    returns: StrategyReturns,
    *,
    symbol: str = "$",
    holdout_units: int | None = None,
    attributed_only: bool = False,
) -> list[Action]:
    """One action per strategy the plan moves money into or out of (or one saying keep).

    ``attributed_only``: the store has ad platform reports and no randomised holdout, so the
    one action says keep, and which tests would give the evidence.
    """
    if attributed_only:
        return [_measure_first(plan, symbol)]
    level = returns.level
    table = returns.table.set_index("strategy")
    ranking = "; ".join(
        _roas_text(r, level)
        for _, r in returns.table.sort_values("roas", ascending=False).iterrows()
    )
    people = f" on {holdout_units:,} people" if holdout_units else ""
    evidence = (
        f"randomised holdouts{people} (incremental revenue {per_money(symbol, of_spend=True)} over "
        f"{plan.horizon_days} days), reconciled with the mix model"
    )
    out: list[Action] = []
    moved = [
        i
        for i, s in enumerate(plan.strategies)
        if abs(plan.recommended[i] - plan.current[i]) >= MIN_MOVE_SHARE * plan.budget
    ]
    sep = set(returns.separated)
    for i in sorted(moved, key=lambda j: plan.current[j] - plan.recommended[j]):
        s = plan.strategies[i]
        d = plan.recommended[i] - plan.current[i]
        others = [o for o in plan.strategies if o != s]
        clear = any(((s, o) in sep) if d > 0 else ((o, s) in sep) for o in others)
        verb = "Raise" if d > 0 else "Cut"
        row = table.loc[s]
        why = (
            f"Incremental return {per_money(symbol)} - {ranking}. "
            + (
                f"{s} earns more {per_money(symbol)} than the strategies money comes from"
                if d > 0
                else f"{s} earns less {per_money(symbol)} at the margin than where the money goes"
            )
            + f"; {_agreement_text(returns, s, symbol)}."
        )
        if pd.isna(row["holdout_roas"]):
            why += " It has no randomised holdout: run one before moving more."
        out.append(
            Action(
                "reallocate",
                f"{verb} {s} from {money(plan.current[i], symbol)} to "
                f"{money(plan.recommended[i], symbol)} ({format_signed_money(d, symbol)}) over the next "
                f"{plan.horizon_days} days",
                why,
                evidence,
                confidence_of(plan.prob_gain, clear),
                amount=float(d),
                effect=float(plan.expected[i] - plan.expected_current[i]),
                effect_low=float(plan.delta_low[i]),
                effect_high=float(plan.delta_high[i]),
            )
        )
    if not out:
        loose = [
            s
            for s, r in table.iterrows()
            if r["evidence"] == "none" or r["holdout_high"] - r["holdout_low"] > r["roas"]
        ]
        out.append(
            Action(
                "reallocate",
                f"Keep today's split of {money(plan.budget, symbol)} over the next "
                f"{plan.horizon_days} days",
                f"Incremental return {per_money(symbol)} - {ranking}. The evidence does not "
                "separate the "
                "strategies enough to move money without risking revenue"
                + (
                    f"; bigger or longer holdouts on {', '.join(loose)} would settle it."
                    if loose
                    else "."
                ),
                evidence,
                "low",
                amount=0.0,
                effect=0.0 if reallocation_measured(returns) else None,
            )
        )
    return out


def _measure_first(plan: Reallocation, symbol: str) -> Action:
    """Keep today's split until a randomised holdout measures what each strategy adds."""
    tests = ", ".join(plan.strategies)
    return Action(
        "reallocate",
        f"Keep today's split of {money(plan.budget, symbol)} over the next "
        f"{plan.horizon_days} days, and run a randomised holdout on {tests}",
        "The store has ad platform reports and no randomised holdout, so what each strategy "
        "adds is not measured; the platforms' own ROAS credits them with conversions that "
        "would partly have happened anyway and is no basis for moving money. Hold out a random "
        "share of each strategy's audience (the platform's conversion-lift test, or a geo "
        "holdout) for as long as these reports cover, size it with 'micromix experiment "
        "plan', then ingest each person's test result ('micromix ingest experiments') with "
        "events that carry each strategy's spend ('micromix ingest events')",
        "ad platform reports (attributed conversions, not incremental)",
        "low",
        amount=0.0,
        effect=None,
    )


def group_reallocation(
    comparison: ComparisonResult, budget: float, *, seed: int = 0
) -> tuple[Reallocation, StrategyReturns] | None:
    """The same reallocation, over the groups of a comparison (targeting, creator tiers),
    for ``budget``; ``None`` when fewer than two groups have spend and a holdout."""
    t = comparison.table
    spent = t[(t["spend"] > 0) & t["incremental_roas"].notna()]
    if len(spent) < 2:
        return None
    returns = strategy_returns(
        spent, None, spent.set_index("strategy")["spend"].astype(float), level=comparison.level
    )
    scale = budget / float(spent["spend"].sum()) if budget > 0 else 1.0
    plan = reallocate(returns, float(spent["spend"].sum()) * scale, seed=seed)
    return plan, returns


def _group_moves(plan: Reallocation, symbol: str) -> str:
    ups = [
        f"{s} {format_signed_money(plan.recommended[i] - plan.current[i], symbol)}"
        for i, s in enumerate(plan.strategies)
        if abs(plan.recommended[i] - plan.current[i]) >= MIN_MOVE_SHARE * plan.budget
    ]
    return ", ".join(ups)


def target_actions(
    comparison: ComparisonResult | None,
    *,
    horizon_days: int,
    audience: dict[str, Any] | None = None,
    symbol: str = "$",
    seed: int = 0,
) -> list[Action]:
    """Micro vs mass targeting of the paid messages, and the audience to reach."""
    out: list[Action] = []
    if comparison is not None:
        budget = float(comparison.table["spend"].sum())
        res = group_reallocation(comparison, budget, seed=seed)
        if res is not None:
            plan, returns = res
            moves = _group_moves(plan, symbol)
            ranking = "; ".join(_roas_text(r, returns.level) for _, r in returns.table.iterrows())
            clear = bool(returns.separated)
            if moves:
                out.append(
                    Action(
                        "target",
                        f"Within the paid messages ({money(budget, symbol)} over "
                        f"{horizon_days} days), shift spend between targetings: {moves}",
                        f"Incremental return {per_money(symbol)} by targeting - {ranking}.",
                        "randomised holdouts of the campaigns by targeting",
                        confidence_of(plan.prob_gain, clear),
                        amount=float(np.abs(plan.recommended - plan.current).sum() / 2),
                        effect=plan.gain,
                        effect_low=plan.gain_low,
                        effect_high=plan.gain_high,
                    )
                )
            else:
                out.append(
                    Action(
                        "target",
                        "Keep today's balance of micro and mass targeting",
                        f"Incremental return {per_money(symbol)} by targeting - {ranking}; "
                        "the difference "
                        "is not clear enough to move money.",
                        "randomised holdouts of the campaigns by targeting",
                        "low",
                        amount=0.0,
                        effect=0.0,
                    )
                )
    if audience is not None:
        out.append(_audience_action(audience, symbol))
    return out


def _audience_action(s: dict[str, Any], symbol: str) -> Action:
    """Reach the consented people with the highest predicted uplift: led by what the
    randomised holdout shows for those of them who were in it (scored out of fold), the
    model's prediction for the whole list beside it.

    ``s`` is :attr:`micromix.audience.TargetingResult.summary` with ``value_per_conversion``
    (the value the plan puts on one conversion). Confidence follows the observed interval:
    ``high`` when it is above 0, ``low`` when it holds 0 (or no lift could be observed);
    a list the holdout shows converting *less* when reached is not recommended.
    """
    money_out = "incremental_value" in s and "expected_incremental_conversions" not in s
    key = "incremental_value" if money_out else "incremental_conversions"
    value = s.get("value_per_conversion")
    what = (
        f"Reach the {s['contacts']:,} consented people with the highest predicted uplift "
        f"({money(s['cost'], symbol)} of contacts)"
    )
    evidence = (
        "uplift model (T-learner) on the holdout's people; consent, minors, special "
        "categories and platform minimums checked"
    )
    predicted = float(s[f"expected_{key}"])
    said = money(predicted, symbol) if money_out else f"{predicted:,.0f}"
    prediction = (
        f"the model predicts {said} incremental {'revenue' if money_out else 'conversions'} "
        f"for the whole list"
        + (
            f" (incremental CPA {money(s['incremental_cpa'], symbol, 2)})"
            if not money_out and s.get("incremental_cpa") is not None
            else ""
        )
    )
    observed = s.get(f"observed_{key}")
    lo, hi = s.get(f"observed_{key}_low"), s.get(f"observed_{key}_high")
    measured = all(v is not None and math.isfinite(float(v)) for v in (observed, lo, hi))
    if not measured:  # in-sample scores, or no one of the list in a comparison group
        return Action(
            "target",
            what,
            "An uplift model trained on the largest randomised holdout ranks who changes "
            f"behaviour when reached: {prediction}; the holdout does not measure this list "
            "out of sample, so the figure is the model's, not a measurement; every privacy "
            "guardrail passed.",
            evidence,
            "low",
            amount=float(s["cost"]),
            effect=float(s["expected_incremental_value"])
            if s.get("expected_incremental_value") is not None
            else None,
        )
    obs, lo, hi = float(observed), float(lo), float(hi)  # type: ignore[arg-type]
    people = s.get("observed_people")
    among = (
        f" among the {int(people):,} of them who were in it"
        if people is not None and int(people) < int(s["contacts"])
        else ""
    )

    def fig(v: float) -> str:
        return money(v, symbol) if money_out else f"{v:,.0f}"

    shows = (
        f"The randomised holdout shows {fig(obs)} incremental "
        f"{'revenue' if money_out else 'conversions'}{among} (95% interval {fig(lo)} to "
        f"{fig(hi)}), out of sample: each was ranked by a model that never saw them"
    )
    # the observed figure in money: the plan's value of a conversion times the conversions
    scale = 1.0 if money_out else (float(value) if value else math.nan)
    effect = dict(effect=obs * scale, effect_low=lo * scale, effect_high=hi * scale)
    if hi < 0:
        return Action(
            "target",
            f"Do not reach the {s['contacts']:,} people with the highest predicted uplift "
            "yet: in the holdout they converted less when reached",
            f"{shows}; {prediction}, which the experiment contradicts. Test the list "
            "against a holdout before spending on it.",
            evidence,
            "high",
            amount=0.0,
        )
    sure = lo > 0
    return Action(
        "target",
        what,
        f"{shows}; {prediction}"
        + (
            ". Every privacy guardrail passed."
            if sure
            else "; the interval holds 0, so the holdout does not yet show that reaching "
            "them adds conversions: reach them as a test with a holdout. Every privacy "
            "guardrail passed."
        ),
        evidence,
        "high" if sure else "low",
        amount=float(s["cost"]),
        **effect,
    )


def amplify_actions(
    ranked: pd.DataFrame | None,
    brand: str | None,
    budget: float | None,
    returns: StrategyReturns | None,
    *,
    symbol: str = "$",
) -> list[Action]:
    """The best genuine user posts to run as partnership / Spark ads, sharing ``budget``."""
    if ranked is None or ranked.empty:
        return []
    top = ranked.head(TOP_POSTS)
    per_post = budget / len(top) if budget else None
    ugc = None
    if returns is not None and "ugc_amplified" in set(returns.table["strategy"]):
        ugc = returns.row("ugc_amplified")
    sure = "medium"
    basis = "user-content ranking (rights, sentiment, engagement, brand fit)"
    if ugc is not None and pd.notna(ugc["holdout_roas"]):
        basis += (
            f"; amplified user content's holdout return {ugc['holdout_roas']:.2f} "
            f"{per_money(symbol)}"
        )
        sure = "high" if ugc["holdout_low"] > 0 else "medium"
    posts = []
    for _, r in top.iterrows():
        text = str(r.get("text", ""))
        short = text if len(text) <= 48 else text[:45] + "..."
        posts.append(f"{r['post_id']} by {r.get('author_id', 'its author')} ('{short}')")
    first = top.iloc[0]
    reasons = f"Best post {first['post_id']}: {first.get('reasons', '')}".strip()
    cpa = pd.to_numeric(top.get("predicted_cpa"), errors="coerce")
    how = f" with about {money(per_post, symbol)} each" if per_post else ""
    return [
        Action(
            "amplify",
            f"Run {len(posts)} genuine customer posts as partnership ads"
            + (f" for @{brand}" if brand else "")
            + f"{how}: "
            + "; ".join(posts),
            reasons
            + (
                f". Predicted cost per acquisition {money(float(cpa.min()), symbol, 2)} to "
                f"{money(float(cpa.max()), symbol, 2)}"
                if cpa is not None and cpa.notna().any()
                else ""
            ),
            basis,
            sure,
            amount=budget,
        )
    ]


def creator_price_symbol(symbol: str) -> str:
    """The symbol of creators' prices beside money in ``symbol``: they are the cost model's
    estimates in US dollars (:mod:`micromix.influencers.cost`), ``$`` beside US dollars and
    ``US$`` beside any other currency."""
    return symbol if symbol in ("$", "US$") else "US$"


def hire_actions(
    top_creators: pd.DataFrame | None,
    tiers: ComparisonResult | None,
    budget: float | None,
    *,
    horizon_days: int,
    symbol: str = "$",
    seed: int = 0,
) -> list[Action]:
    """Creators to hire within the influencer budget, and the tiers the holdouts favour."""
    out: list[Action] = []
    if tiers is not None and budget:
        res = group_reallocation(tiers, budget, seed=seed)
        if res is not None:
            plan, returns = res
            moves = _group_moves(plan, symbol)
            ranking = "; ".join(_roas_text(r, returns.level) for _, r in returns.table.iterrows())
            if moves:
                out.append(
                    Action(
                        "hire",
                        f"Within the influencer budget ({money(budget, symbol)} over "
                        f"{horizon_days} days), shift spend between creator tiers: {moves}",
                        f"Incremental return {per_money(symbol)} by creator tier - {ranking}.",
                        "randomised holdouts of the creator campaigns by tier",
                        confidence_of(plan.prob_gain, bool(returns.separated)),
                        amount=float(np.abs(plan.recommended - plan.current).sum() / 2),
                        effect=plan.gain,
                        effect_low=plan.gain_low,
                        effect_high=plan.gain_high,
                    )
                )
    if top_creators is not None and len(top_creators):
        picked = top_creators
        cost = float(picked["est_cost_per_post"].sum()) if "est_cost_per_post" in picked else None
        ids = listed(picked["creator_id"], top=5)
        tier_mix = picked["tier"].value_counts().to_dict() if "tier" in picked else {}
        mix = ", ".join(f"{n} {t}" for t, n in tier_mix.items())
        out.append(
            Action(
                "hire",
                f"Hire {len(picked)} creators ({ids}) for one post each: about "
                f"{money(cost, creator_price_symbol(symbol))} in all",
                f"Best value {per_money(creator_price_symbol(symbol))} for the brand's niche "
                f"among authentic creators ({mix}); "
                "engagement from their own posts, cost from their follower tier.",
                "creator scoring: engagement, fake-follower model, niche fit, cost per post",
                "medium",
                amount=cost,
            )
        )
    return out


def respond_actions(moments: MomentSummary | None) -> list[Action]:
    """The strongest micro-moment surges in the data, and what answers them."""
    if moments is None or moments.bursts.empty:
        return []
    b = moments.bursts
    b = b[b["kind"] == "burst"].sort_values("score", ascending=False).head(TOP_SURGES)
    scored = moments.scores or {}
    rate = (
        f"; against the simulator's injected surges it finds {scored['recall']:.0%} with "
        f"{scored['precision']:.0%} precision"
        if "precision" in scored
        else ""
    )
    out = []
    for _, r in b.iterrows():
        act = build_action(
            key=str(r["key"]),
            kind="burst",
            bucket_start=pd.Timestamp(r["start"]),
            observed=float(r["observed"]),
            expected=float(r["expected"]),
            enrich=False,
        )
        score = float(r["score"])
        out.append(
            Action(
                "respond",
                f"{act.recommendation} (as at {pd.Timestamp(r['start']):%b %d %H:%M}); keep "
                "'micromix moments watch' running to answer the next one live",
                f"{r['observed']:.0f} searches in {r['hours']:.0f} h against "
                f"{r['expected']:.1f} expected (score {score:.1f})",
                "burst detection over the search stream by moment, topic and region" + rate,
                "high" if score >= 8 else "medium" if score >= 5 else "low",
            )
        )
    return out
