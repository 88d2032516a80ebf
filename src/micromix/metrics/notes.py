"""The notes of a KPI result: sentences saying what its figures are where a number alone would
mislead (sums several ad platforms each attribute, sums some rows do not report, the two
engagement counts of posts, what views count).

Each function reads the finishing frame of :func:`micromix.metrics.kpis.compute_kpis` (the
engine's sums, helper columns ``_rows``/``_n_<measure>`` included) and returns the notes.

Quickstart
----------
>>> from micromix.metrics.notes import _ratio_label
>>> _ratio_label("roas"), _ratio_label("engagement_rate")
('ROAS', 'engagement rate')
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from micromix.metrics.catalogue import _MONEY, MEASURES, RATIOS, VIEWS_MEASURES, KpiPlan
from micromix.schema.display import listed


def _group_label(row: pd.Series, keys: Sequence[str], dims: Sequence[str]) -> str:
    """A group of the output named by its key values: the dimensions asked by name
    (``campaign_id X, no age``), then period, level and currency (``(campaign AUD)``)."""
    named: list[str] = []
    rest: list[str] = []
    for k in keys:
        v = row.get(k)
        if v is None or (not isinstance(v, str) and bool(pd.isna(v))):
            if k == "level":
                continue  # a table that records no level: the output has no level column
            text = f"no {k}"
        elif isinstance(v, pd.Timestamp | np.datetime64):
            text = pd.Timestamp(v).date().isoformat()
        else:
            text = f"{k} {v}" if k in dims else str(v)
        (named if k in dims else rest).append(text)
    head, tail = ", ".join(named), " ".join(rest)
    if head and tail:
        return f"{head} ({tail})"
    return head or tail or "all rows"


def _ratio_label(k: str) -> str:
    """``ROAS``, ``CPA`` ... (acronyms) and ``engagement rate`` (words)."""
    return k.upper() if "_" not in k else k.replace("_", " ")


def _amount(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"


def _overlap_notes(df: pd.DataFrame, plan: KpiPlan, target: Sequence[str]) -> list[str]:
    """Say where a group adds the conversions or revenue several ad platforms attribute to
    their own ads (``df`` is keyed by platform too): each platform claims the purchases its
    ads touched, so the same purchase can be in the sum twice.

    Platforms are counted per group in one pass; the text is built for the first groups only.
    A platform's figure that some of its rows in the group do not report is quoted as
    "at least" (the table shows the group's sum as unknown), never as a plain partial sum.
    """
    shown = [m for m in ("revenue", "conversions") if m in df.columns and m in plan.measures]
    keys = [k for k in target if k in df.columns and k != "platform"]
    if not shown or "platform" not in df.columns:
        return []
    cand = df[df["platform"].notna()]
    if cand.empty:
        return []
    claims = cand[shown].apply(pd.to_numeric, errors="coerce").fillna(0.0).gt(0).any(axis=1)
    codes = (
        cand.groupby([cand[k].astype(object).fillna("\0") for k in keys], sort=True).ngroup()
        if keys
        else pd.Series(0, index=cand.index)
    )
    platforms = cand.loc[claims, "platform"].groupby(codes[claims]).nunique()
    overlapping = platforms.index[platforms >= 2]  # ascending codes: the groups' sorted order
    n = len(overlapping)
    if n == 0:
        return []
    counts = [c for c in ("_rows", *(f"_n_{m}" for m in shown)) if c in cand.columns]
    details = []
    for code in overlapping[:3]:
        part = cand[codes == code]
        per = part[[*shown, *counts]].apply(pd.to_numeric, errors="coerce")
        per = per.groupby(part["platform"], sort=True).sum(min_count=1)
        per = per[per.index.isin(part.loc[claims[part.index], "platform"])]
        first = part[claims[part.index]].iloc[0]
        cur = first.get("currency") if "currency" in keys else None
        unit = f"{cur} " if isinstance(cur, str) else ""
        bits = []
        for name, r in per.iterrows():
            xs = []
            for m, what, u in (("revenue", "revenue", unit), ("conversions", "conversions", "")):
                if m not in shown or pd.isna(r[m]):
                    continue
                rows, known = r.get("_rows"), r.get(f"_n_{m}")
                partial = rows is not None and known is not None and known < rows
                if not partial:
                    xs.append(f"{u}{_amount(r[m])} {what}")
                elif r[m] > 0:  # "at least 0" says nothing: left out
                    xs.append(f"at least {u}{_amount(r[m])} {what}")
            bits.append(f"{name} {', '.join(xs)}".rstrip())
        details.append(f"{_group_label(first, keys, plan.by)}: {' + '.join(bits)}")
    what = " and ".join(shown)
    groups = listed(details, sep="; ", what="groups", total=n)
    return [
        f"{what} of {n:,} group{'' if n == 1 else 's'} add what several platforms each attribute "
        f"to their own ads ({groups}): the platforms' attributions overlap "
        "(each claims the purchases its ads touched), so the sum may count a purchase twice and "
        "ROAS and CPA on it may look better than they are; see each platform apart with "
        f"--by {','.join([*plan.by, 'platform'])}"
    ]


def _unreported_notes(df: pd.DataFrame, plan: KpiPlan) -> list[str]:
    """Name the groups whose sum of a measure is left empty because some of their rows do not
    report it (:func:`_null_unreported`), with the part that is known as "at least".

    One mask per measure over all groups; the text is built for the first 3 flagged groups."""
    if "_rows" not in df.columns or df.empty:
        return []
    keys = [k for k in plan.out_keys if k in df.columns]
    if keys:  # the groups in the table's order, whatever order the engine returned them in
        df = df.sort_values(keys, na_position="last", kind="stable")
    rows = np.trunc(pd.to_numeric(df["_rows"]).fillna(0.0))
    checked = [
        m
        for m in MEASURES
        if m != "reach" and m in plan.measures and m in df.columns and f"_n_{m}" in df.columns
    ]
    known = {m: pd.to_numeric(df[f"_n_{m}"]).fillna(0.0) for m in checked}
    gaps = {m: (known[m] > 0) & (known[m] < rows) for m in checked}
    gaps = {m: g for m, g in gaps.items() if g.any()}
    if not gaps:
        return []
    flagged = np.logical_or.reduce([g.to_numpy() for g in gaps.values()])
    # in the order the groups first show them (then the catalogue's)
    first_at = {m: int(np.argmax(g.to_numpy())) for m, g in gaps.items()}
    unknown = sorted(gaps, key=lambda m: (first_at[m], checked.index(m)))
    details: list[str] = []
    for i in df.index[flagged][:3]:
        total = int(rows[i])
        by_gap: dict[int, list[str]] = {}  # rows without the figure -> the figures' known parts
        for m in checked:
            if m not in gaps or not gaps[m][i]:
                continue
            cur = df.at[i, "currency"] if m in _MONEY and "currency" in df.columns else None
            unit = f"{cur} " if isinstance(cur, str) else ""
            by_gap.setdefault(total - int(known[m][i]), []).append(
                f"{m} at least {unit}{_amount(float(df.at[i, m]))}"
            )
        parts = [
            f"{', '.join(ms)} ({gap:,} of its {total:,} rows report "
            f"{'none' if len(ms) == 1 else 'none of them'})"
            for gap, ms in by_gap.items()
        ]
        details.append(f"{_group_label(df.loc[i], keys, plan.by)}: {'; '.join(parts)}")
    ratios = [
        _ratio_label(k) for k in plan.kpis if k in RATIOS and set(RATIOS[k].inputs) & {*unknown}
    ]
    n = int(flagged.sum())
    groups = listed(details, sep="; ", what="groups", total=n)
    return [
        f"{', '.join(unknown)} of {n:,} group{'' if n == 1 else 's'} "
        f"{'is' if len(unknown) == 1 else 'are'} empty (unknown): some of their rows report no "
        "such figure (an export without that column, or empty cells), and a sum without them "
        f"would understate it; the rows that report it give {groups}"
        + (f"; {', '.join(ratios)} on them are empty too" if ratios else "")
    ]


def _engagement_notes(df: pd.DataFrame, plan: KpiPlan) -> list[str]:
    """What the two engagement figures of posts are, and where they cannot both be right."""
    from micromix.social.columns import ENGAGEMENT_LABEL, REPORTED_ENGAGEMENTS_LABEL

    notes = []
    if "engagements" in plan.kpis:
        notes.append(f"engagements = {ENGAGEMENT_LABEL}, on every platform")
    if "reported_engagements" in plan.kpis:
        shown = "reported_engagements" in df.columns and bool(
            df["reported_engagements"].notna().any()
        )
        if shown:
            notes.append(
                f"reported_engagements = {REPORTED_ENGAGEMENTS_LABEL}; empty for a row some of "
                "whose posts do not report one"
            )
    below = int(df["_reported_below"].fillna(0).sum()) if "_reported_below" in df else 0
    if below:
        rows = int(df["_rows"].fillna(0).sum()) if "_rows" in df else 0
        notes.append(
            f"on {below:,} of {rows:,} posts the engagements the platform reports are below the "
            "likes + comments + shares + saves it reports, though its count includes them: the "
            "export's figures disagree, so both are shown and neither is corrected"
        )
    return notes


def _views_notes(measure: pd.Series) -> list[str]:
    """What the ``views`` of the rows count, said once per kind shown."""
    shown = [m for m in VIEWS_MEASURES if (measure == m).any()]
    if shown in ([], ["views"]):
        return []  # plays alone: the column means what it says
    said = "; ".join(f"'{m}' = {VIEWS_MEASURES[m]}" for m in shown)
    return [f"views_measure says what each row's views and engagement per view count: {said}"]
