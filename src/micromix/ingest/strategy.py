"""Which strategy an export's rows are filed under, and the user's word on it (``--strategy``).

micromix compares strategies (``STRATEGIES``): user content (organic or amplified), paid social
(ads in social feeds: Meta, TikTok, LinkedIn, X, Pinterest, Snapchat), influencers, search
(search and shopping ads: Google, Microsoft, Amazon), and ``other`` for paid media that is none
of these. A layout files its rows where the platform's ads run:

* Spotify Ad Studio ads are audio (and video) ads heard in a music app: not social, so
  ``other``;
* Google Ads and Microsoft Advertising rows are ``search`` for search and shopping campaigns,
  ad groups of a search type and keyword / search-term reports, and ``other`` for the rest:
  Performance Max serves one budget across Search, Shopping, YouTube, Display, Discover, Gmail
  and Maps, and the report does not split its spend by surface, so filing it under ``search``
  (or paid social) would credit one strategy with what several earned; Display, Video and
  Demand Gen campaigns and reports that give no campaign type are ``other`` too.

Rows filed under ``other`` by a layout are named in a note of the ingest report. The user who
knows better (a Performance Max campaign run as a shopping campaign, a podcast sponsorship
compared as an influencer deal) passes ``--strategy NAME``: every row of that export is filed
under it.

Quickstart
----------
>>> strategy_option("Search")
'search'
>>> import pandas as pd
>>> rows = pd.DataFrame({"strategy": ["other", "search"], "campaign_type": ["Performance Max",
...                      "Search"]})
>>> print(strategy_note("it serves beyond search", rows))
1 of 2 rows are filed under strategy 'other' (campaign type Performance Max): it serves beyond \
search; pass --strategy NAME to file the export's rows under another strategy (ugc_organic, \
ugc_amplified, paid_social, influencer, search, direct, email, other)
"""

from __future__ import annotations

import pandas as pd

from micromix.errors import ConfigError
from micromix.schema import EntitySchema
from micromix.schema.vocab import STRATEGIES

__all__ = ["apply_strategy", "override_note", "strategy_note", "strategy_option"]


def strategy_option(strategy: str | None, schema: EntitySchema | None = None) -> str | None:
    """``--strategy`` as a contract strategy (None: the layout's own mapping) for rows of
    ``schema``.

    Raises ConfigError naming the value and the strategies there are, or saying the table's
    rows have no strategy (posts, creators ...).
    """
    if strategy is None:
        return None
    if schema is not None and "strategy" not in schema.columns:
        raise ConfigError(
            f"--strategy applies to files of ads and events (their rows have a strategy), not "
            f"to {schema.name}; leave it out"
        )
    name = strategy.strip().lower().replace("-", "_").replace(" ", "_")
    if name not in STRATEGIES:
        raise ConfigError(
            f"--strategy {strategy!r} is not a strategy micromix compares; use one of "
            f"{', '.join(STRATEGIES)}"
        )
    return name


def apply_strategy(rows: pd.DataFrame, strategy: str | None) -> None:
    """File every row of ``rows`` (an export's mapped rows) under ``strategy``, as
    :func:`strategy_option` read it (in place; no-op when None)."""
    if strategy is not None:
        rows["strategy"] = strategy


def strategy_note(why: str | None, accepted: pd.DataFrame, *, typed: bool = True) -> str | None:
    """The note saying which accepted rows a layout filed under ``other`` and why (None when
    none are, or the layout never files rows there); ``typed``: the layout reads campaign types,
    which the note names."""
    if why is None or "strategy" not in accepted.columns or not len(accepted):
        return None
    other = (accepted["strategy"] == "other").fillna(False).to_numpy(dtype=bool)
    if not other.any():
        return None
    what = ""
    if typed and "campaign_type" in accepted.columns:
        types = accepted.loc[other, "campaign_type"]
        named = sorted({str(t).strip() for t in types.dropna() if str(t).strip()})
        if named:
            shown = ", ".join(named[:4]) + (" ..." if len(named) > 4 else "")
            untyped = " and rows with none" if types.isna().any() else ""
            what = f" (campaign type {shown}{untyped})"
        else:
            what = " (the report gives no campaign type)"
    return (
        f"{int(other.sum()):,} of {len(accepted):,} rows are filed under strategy 'other'{what}: "
        f"{why}; pass --strategy NAME to file the export's rows under another strategy "
        f"({', '.join(STRATEGIES)})"
    )


def override_note(before: pd.Series, strategy: str, *, column: str | None = None) -> str | None:
    """The note saying that ``--strategy`` (``strategy``) filed rows under it that the file
    itself puts under another strategy (``before``: the rows' strategies as the layout read
    them; ``column``: the file's own strategy column, if it has one), or None.

    A layout's one strategy for a whole platform (Spotify's ``other``) is what the option is
    for, so it is no conflict; rows the file tells apart (by campaign type, or its own strategy
    column) are, and the note names them: the option is never a silent override.

    >>> s = pd.Series(["search", "other", "other"])
    >>> print(override_note(s, "search"))
    --strategy search filed all 3 rows under 'search', though the file itself puts 2 of them \
elsewhere (2 under 'other'); the option applies to the whole file: to keep its strategies \
apart, ingest it without --strategy, or export one report per strategy
    >>> override_note(pd.Series(["other", "other"]), "search") is None
    True
    """
    vals = before.dropna().astype(str)
    differ = vals[vals != strategy]
    if not len(differ) or (column is None and vals.nunique() < 2):
        return None
    counts = differ.value_counts()
    said = ", ".join(f"{int(n):,} under {s!r}" for s, n in sorted(counts.items()))
    by = f", by its column {column!r}" if column else ""
    return (
        f"--strategy {strategy} filed all {len(before):,} rows under {strategy!r}, though the "
        f"file itself puts {len(differ):,} of them elsewhere ({said}{by}); the option applies "
        "to the whole file: to keep its strategies apart, ingest it without --strategy, or "
        "export one report per strategy"
    )
