"""Ad-platform export layouts: Meta, Google Ads, TikTok, LinkedIn, Pinterest, Snapchat, X, Spotify,
Microsoft Advertising, Amazon Ads.

Each layout is a small declarative :class:`AdsExportFormat`: the platform, the header names of
each contract field (English UI names as the platforms export them; matched case- and
punctuation-insensitively, ``*`` matching any ending such as a currency code in brackets), the
columns that identify the layout, and a few rules:

* **Summary rows** ("Total: Campaigns", "Grand total", Meta's account-total row with empty
  dimensions) are not data: they are set aside and used to cross-check the sum of the rows.
* **Blanks** where the platform means zero (Meta leaves zero metrics empty) become 0; ``" --"``
  and ``"-"`` placeholders are empty.
* **Ranges**: a row with "Reporting starts"/"Reporting ends" (or a report whose preamble gives
  the period) keeps both days (``date``, ``date_end``); a "Week" or "Month" row covers its week
  or month.
* **Currency** from a currency column, else the code in a money column's header ("Amount spent
  (USD)"), else the ``--currency`` the user gives (never guessed).
* **Results**: Meta's "Results" are kept with their "Result type"; only purchase results count
  as conversions.

Quickstart
----------
>>> from micromix.ingest.formats import detect_format
>>> cols = ["Campaign", "Ad group", "Impr.", "Clicks", "Cost", "Currency code", "Conversions"]
>>> detect_format(cols, "ads").lookup_name
'google_ads'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import ClassVar

import numpy as np
import pandas as pd

from micromix.errors import DataValidationError, InputFileError
from micromix.ingest.ads_languages import (
    GOOGLE,
    META,
    english_months,
    header_language,
    localized_fields,
)
from micromix.ingest.files import RawTable
from micromix.ingest.formats import (
    SUMMARY,
    ColumnLookup,
    FormatAdapter,
    _blank,
    _const,
    normalize_name,
    register_format,
)
from micromix.schema import AD_PERFORMANCE
from micromix.schema.display import listed
from micromix.schema.values import (
    day_order_conflict,
    day_order_problem,
    detect_dayfirst,
    read_timestamps,
)

__all__ = [
    "TOTAL_LABEL",
    "AdsExportFormat",
    "AmazonAdsFormat",
    "GoogleAdsFormat",
    "LinkedInAdsFormat",
    "MetaAdsFormat",
    "MicrosoftAdsFormat",
    "PinterestAdsFormat",
    "SnapchatAdsFormat",
    "SpotifyAdsFormat",
    "TikTokAdsFormat",
    "XAdsFormat",
    "drop_summary_rows",
    "is_purchase_result",
    "unread_measures",
    "unread_note",
]

#: the word of a summary row: "Total" (also in Spanish, Portuguese and French exports: "Total:
#: Campañas"), "Gesamt" (German Google Ads reports)
_TOTAL_WORD = r"(grand\s+)?(totals?|gesamt)"
#: a cell that labels a summary row: "Total", "Totals", "Total: Account", "Grand total"
TOTAL_LABEL = re.compile(rf"^\s*{_TOTAL_WORD}\s*(:.*)?$", re.IGNORECASE)
#: a summary row's label that names what it totals ("Total: Campaigns", "Total: Account")
_NAMED_TOTAL = re.compile(rf"^\s*{_TOTAL_WORD}\s*:\s*\S", re.IGNORECASE)
#: a bare summary label ("Total", "Totals", "Grand total"), which a campaign may also be named
_BARE_TOTAL = re.compile(rf"^\s*{_TOTAL_WORD}\s*:?\s*$", re.IGNORECASE)
#: columns of a row's day, week, month or report range
_DAY_COLUMNS = ("Day", "Date", "By Day", "Stat time day", "Start Date (in UTC)", "Start time")
_WEEK_COLUMNS = ("Week", "Week (Mon - Sun)", "Week (Sun - Sat)")
_RANGE_COLUMNS = ("Reporting starts", "Reporting ends", "Start Date", "End Date")
_CODE_IN_HEADER = re.compile(r"\(([A-Za-z]{3})\)")
#: a column stating the currency of a row's money
_CURRENCY_COLUMNS = ("Currency", "Currency code", "CurrencyCode", "Account currency")
_PURCHASE = re.compile(r"purchase|fb_pixel_purchase|onsite_conversion\.purchase", re.IGNORECASE)

#: dimension fields (a row whose dimensions are all empty is a summary row)
DIMENSIONS = (
    *(
        k
        for k in AD_PERFORMANCE.key
        if k not in ("platform", "segment_id", "source_id", "source_row")
    ),
    "campaign_name",
    "ad_set_name",
    "ad_name",
)
#: measures a blank cell of which means 0 where the platform leaves zeros empty
MEASURES = (
    "impressions",
    "reach",
    "clicks",
    "engagements",
    "views",
    "spend",
    "conversions",
    "conversion_value",
    "results",
)


def _named_total(v: object) -> bool:
    """Whether a cell labels a summary row by what it totals ("Total: Account")."""
    return isinstance(v, str) and _NAMED_TOTAL.match(v) is not None


def _named_total_label(row: Iterable[object]) -> str | None:
    """The "Total: ..." label of a row (its first such cell, trimmed), if any."""
    return next((str(v).strip() for v in row if _named_total(v)), None)


#: a summary label in a column of free text: what it totals in at most three plain words
_SHORT_TOTAL = re.compile(
    rf"^\s*{_TOTAL_WORD}\s*:\s*[^\W\d_]+(?:[ -][^\W\d_]+){{0,2}}\s*$", re.IGNORECASE
)


def drop_summary_rows(
    df: pd.DataFrame, *, text_columns: Iterable[str] = ()
) -> tuple[pd.DataFrame, list[str]]:
    """``df`` without the rows an export labels as its totals, and their labels.

    A summary row is one with a cell naming what it totals ("Total: Account", "Total:
    Campaigns", "Gesamt: Konto"), in any column: the rule ingest reads export summary rows
    by. A bare "Total" is left in (a campaign, or a search query, may be named that). For
    tables read outside ingest (``micromix moments classify``), so that a sum by moment adds
    no total to a moment.

    >>> df = pd.DataFrame({"query": ["dog bed", "total", "Total: Account"], "clicks": [1, 2, 3]})
    >>> kept, labels = drop_summary_rows(df)
    >>> kept["query"].tolist(), labels
    (['dog bed', 'total'], ['Total: Account'])

    ``text_columns`` hold free text (the search terms ``moments classify`` labels): there a cell
    marks a summary row only as a short label ("Total: Search terms"), never as a sentence
    that starts with the word ("Total: 10/10 would buy again").
    """
    if not len(df) or not df.shape[1]:
        return df, []
    texts = [c for c in text_columns if c in df.columns]
    hit = np.array(df.drop(columns=texts).map(_named_total).any(axis=1), dtype=bool)
    for c in texts:  # a text ("Total: 10/10 would buy again") is data; a short label is not
        short = df[c].map(lambda v: isinstance(v, str) and _SHORT_TOTAL.match(v) is not None)
        hit |= np.asarray(short, dtype=bool)
    if not hit.any():
        return df, []
    labels = [str(_named_total_label(row)) for row in df[hit].to_numpy(dtype=object)]
    return df[~hit].reset_index(drop=True), labels


def is_purchase_result(result_type: object) -> bool:
    """Whether a Meta "Result type"/"Result indicator" counts purchases.

    >>> is_purchase_result("Website purchases"), is_purchase_result("Link clicks")
    (True, False)
    >>> is_purchase_result("actions:offsite_conversion.fb_pixel_purchase")
    True
    """
    return not _blank(result_type) and bool(_PURCHASE.search(str(result_type)))


class AdsExportFormat(FormatAdapter):
    """Base of the ad-platform export layouts (declarative; see the module docstring).

    Attributes
    ----------
    platform : str
        Contract platform of every row (a layout may override per row, e.g. Meta's "Platform").
    fields : dict
        Contract field -> header names to try, in order.
    blank_is_zero : bool
        The platform leaves zero measures empty.
    strategy : str
        Contract strategy of the rows (``paid_social`` for social platforms).
    """

    kinds = ("ad_performance",)
    platform: ClassVar[str] = "other"
    strategy: ClassVar[str | None] = "paid_social"
    blank_is_zero: ClassVar[bool] = False
    fields: ClassVar[dict[str, tuple[str, ...]]] = {}
    #: a column whose cells are a day or a range of days ("Time period")
    period_columns: ClassVar[tuple[str, ...]] = ()

    def reads(self, columns: Iterable[object]) -> list[str]:
        """The header columns the layout maps onto contract fields (with the day or range
        column and the currency column)."""
        cols = [str(col) for col in columns]
        c = ColumnLookup(pd.DataFrame(columns=list(dict.fromkeys(cols))))
        groups = [*self.fields.values(), self.period_columns, self.names(*_CURRENCY_COLUMNS)]
        hits = {c.name(*alts) for alts in groups if alts}
        return [col for col in cols if col in hits]

    # ------------------------------------------------------------------ mapping
    def to_canonical(self, raw: RawTable, *, dayfirst: bool | None = None) -> pd.DataFrame:
        f = raw.frame.reset_index(drop=True)
        c = _Tracked(f)
        self.read_columns = c.read
        if self.vocabulary:
            self.language = header_language(f.columns, self.vocabulary)
        out = pd.DataFrame(index=f.index)
        for canon, alts in self.fields.items():
            if c.name(*alts) is not None:
                out[canon] = c.get(*alts)
        out["platform"] = self._platform(c, f)
        if self.strategy is not None and "strategy" not in out:
            out["strategy"] = _const(f, self.strategy)
        if "campaign_id" not in out and "campaign_name" in out:
            out["campaign_id"] = out["campaign_name"]
        out["currency"] = self._currency(c, f)
        self._dates(out, c, raw, dayfirst)
        dims = [d for d in DIMENSIONS if d in out.columns and d != "date"]
        out["level"] = _const(f, self._level(out))
        out[SUMMARY] = self._summary(out, f, dims)
        if self.blank_is_zero:
            data = out[SUMMARY].isna().to_numpy()
            for m in MEASURES:
                if m not in out.columns:
                    continue
                blank = out[m].map(_blank).to_numpy()
                if blank[data].all() and m not in ("impressions", "spend"):
                    continue  # never reported by row (e.g. purchases by region): unknown, not 0
                out[m] = out[m].where(~(blank & data), "0")
        self.adjust(out, c, raw)
        return out

    def adjust(self, out: pd.DataFrame, c: ColumnLookup, raw: RawTable) -> None:
        """Layout-specific touches after the generic mapping (in place)."""

    def _platform(self, c: ColumnLookup, f: pd.DataFrame) -> pd.Series:
        return _const(f, self.platform)

    def _currency(self, c: ColumnLookup, f: pd.DataFrame) -> pd.Series:
        col = c.name(*self.names(*_CURRENCY_COLUMNS))
        if col is not None:
            # a header that repeats the column (Google Ads' ad group report names "Currency
            # code" twice) has its copies set aside as "Currency code.1" ...: they must agree,
            # and a row where they differ gets both codes, which no currency check accepts
            copies = [k for k in f.columns if re.fullmatch(re.escape(col) + r"\.\d+", k)]
            code = f[col].map(_code)
            for k in copies:
                other = f[k].map(_code)
                differ = code.notna() & other.notna() & (code != other)
                code = code.where(~differ, code + "/" + other).fillna(other)
            return code
        for alts in (self.fields.get("spend", ()), self.fields.get("conversion_value", ())):
            name = c.name(*alts)
            m = _CODE_IN_HEADER.search(name or "")
            if m:
                return _const(f, m.group(1).upper())
        return _const(f, self.currency)

    def _dates(
        self, out: pd.DataFrame, c: ColumnLookup, raw: RawTable, dayfirst: bool | None = None
    ) -> None:
        """The days of each row (``date``, ``date_end``), read in the order ``dayfirst`` states
        (None: detected); a day that contradicts a stated order is refused."""
        f = c.frame
        period = c.name(*self.period_columns) if self.period_columns else None
        if period is not None:
            # each cell a day ("2026-10-01") or a range ("Apr 1, 2026 - Apr 30, 2026")
            refuse_day_order(raw, period, f[period], dayfirst)
            order = dayfirst if dayfirst is not None else detect_dayfirst(_day_texts(f[period]))
            # once per distinct cell (a day repeats on every campaign's row)
            read = {
                v: preamble_period([str(v)], order)
                for v in pd.unique(f[period].astype(object))
                if not _blank(v)
            }
            pairs = [None if _blank(v) else read[v] for v in f[period]]
            out["date"] = [p[0] if p else v for p, v in zip(pairs, f[period])]
            out["date_end"] = [p[1] if p else None for p in pairs]
            return
        day = c.name(*self.names(*_DAY_COLUMNS))
        week = c.name(*self.names(*_WEEK_COLUMNS))
        month = c.name(*self.names("Month"))
        starts = c.name(*self.names("Reporting starts"))
        ends = c.name(*self.names("Reporting ends"))
        for col in (day, week, month, starts, ends):
            if col is not None:
                refuse_day_order(raw, col, f[col], dayfirst)
        if day is not None:
            out["date"] = f[day]
        elif week is not None:
            out["date"] = f[week]
            out["date_end"] = _shift(f[week], days=6, dayfirst=dayfirst)
        elif month is not None:
            out["date"] = f[month]
            out["date_end"] = _month_end(f[month], dayfirst=dayfirst)
        elif starts is not None:
            out["date"] = f[starts]
            if ends is not None:
                out["date_end"] = f[ends]
        else:
            # a period in the interface's language ("18 de septiembre de 2026 - ...") read as
            # the same days written in English
            lines = [english_months(line, self.language) for line in raw.preamble]
            stated = preamble_period(lines, dayfirst, source=raw.path)
            if stated is not None:
                out["date"] = _const(f, stated[0])
                out["date_end"] = _const(f, stated[1])
        if day is not None and starts is not None and ends is not None:
            pass  # a daily row: Reporting starts/ends span the whole report, not the row

    def _level(self, out: pd.DataFrame) -> str:
        for col, level in (
            ("search_term", "search_term"),
            ("keyword", "keyword"),
            ("ad_id", "ad"),
            ("ad_set", "ad_set"),
            ("campaign_id", "campaign"),
        ):
            if col in out.columns:
                return level
        return "account"

    def _summary(self, out: pd.DataFrame, f: pd.DataFrame, dims: list[str]) -> pd.Series:
        """Label of each summary row (None for data rows).

        A summary row is labelled the way the platforms label theirs: "Total: Campaigns" (a
        total that names what it totals, in whichever column), a bare "Total" / "Grand total"
        whose row has no other label (every other cell blank, a placeholder, a number, or in a
        measure, currency or date column: a campaign named "Total" has its ad group, status or
        type beside it), or Meta's row of empty dimensions. Where the export labels its totals
        "Total: ...", a bare "Total" is a name, not a total.
        """
        if not dims:
            return pd.Series([None] * len(f), index=f.index, dtype=object)
        dim_blank = out[dims].map(_blank).all(axis=1).to_numpy()
        has_measure = (
            ~out[[m for m in MEASURES if m in out.columns]].map(_blank).all(axis=1).to_numpy()
            if any(m in out.columns for m in MEASURES)
            else dim_blank
        )
        cells = f.to_numpy(dtype=object)
        named = [_named_total_label(row) for row in cells]
        unlabelled = set(self._unlabelled_columns(f))
        other = [j for j, col in enumerate(f.columns) if col not in unlabelled]
        labels: list[str | None] = []
        any_named = any(named)  # once: inside the loop it made every file quadratic
        for i, row in enumerate(cells):
            label = named[i]
            if label is None and not any_named:
                label = _bare_total(row, other)
            if label is None and dim_blank[i] and has_measure[i]:
                label = "total (empty dimensions)"
            labels.append(label)
        return pd.Series(labels, index=f.index, dtype=object)

    def _unlabelled_columns(self, f: pd.DataFrame) -> list[str]:
        """Header columns whose cells label no row: the measures, currency and dates the layout
        reads (a total row fills them like any row)."""
        c = ColumnLookup(f)
        groups = [
            *(alts for field, alts in self.fields.items() if field in MEASURES),
            self.names(*_CURRENCY_COLUMNS),
            self.period_columns,
            self.names(*_DAY_COLUMNS),
            self.names(*_WEEK_COLUMNS),
            self.names("Month"),
            *(self.names(name) for name in _RANGE_COLUMNS),
        ]
        return [name for alts in groups if alts and (name := c.name(*alts)) is not None]


def _empty(v: object) -> bool:
    """A blank cell or a placeholder (" --", "-")."""
    return _blank(v) or str(v).strip() in ("--", "-")


def _bare_total(row: Sequence[object], label_columns: Sequence[int]) -> str | None:
    """The bare "Total" label of a row whose other label cells are empty or numbers (None when
    the row has no such label, or has another label beside it: a campaign named "Total")."""
    from micromix.schema.values import read_numbers

    hit = next((j for j, v in enumerate(row) if isinstance(v, str) and _BARE_TOTAL.match(v)), None)
    if hit is None:
        return None
    others = [row[j] for j in label_columns if j != hit and not _empty(row[j])]
    if others:
        parsed = read_numbers(pd.Series(others, dtype=object), percent=True, abbreviated=True)
        if parsed.problems.notna().any():
            return None  # a name, status or type beside it: a data row named "Total"
    return str(row[hit]).strip()


class _Tracked(ColumnLookup):
    """A :class:`ColumnLookup` that remembers the header columns the layout read."""

    def __init__(self, frame: pd.DataFrame) -> None:
        super().__init__(frame)
        self.read: set[str] = set()

    def name(self, *alternatives: str) -> str | None:
        hit = super().name(*alternatives)
        if hit is not None:
            self.read.add(hit)
        return hit


#: header words of a ratio derived from stored counts (CTR, CPC, ROAS, cost per result ...)
_RATIO = re.compile(
    r"(^|_)(ctr|cpc|cpm|cpa|cpv|cpe|cpl|cpi|ecpm|roas|acos|aov|cac|frequency|rate|ratio|"
    r"average|avg|percent|pct|per|cost_per\w*|return_on\w*)(_|$)|impression_share|impr_share",
)
#: header words of a measure the ad_performance table stores (impressions ... conversion value)
_MEASURE = re.compile(
    r"impr|impression|reach|click|swipe|engagement|view|play|spend|spent|cost|charge|"
    r"conv|purchas|order|sales|revenue|value|result|lead|install|checkout|payment"
)

#: a share of a measure ("14 Day % of Orders New-to-brand"): a ratio, unlike "Video views at
#: 25%", which counts views
_SHARE = re.compile(r"%\s*of\b", re.IGNORECASE)

#: header endings of a name, type or id next to a measure ("Result type", "Conversion name")
_NOT_MEASURE = re.compile(r"(^|_)(type|indicator|name|id|ids|status|setting|source|url|level)$")


def unread_measures(columns: Sequence[str], read: set[str]) -> tuple[list[str], list[str]]:
    """Header columns a layout did not read that look like stored measures, and those that
    look like ratios derived from them (CTR, CPC, ROAS ...), in header order.

    >>> unread_measures(["Campaign", "Spend", "Revenue", "CTR", "Cost / conv."], {"Campaign",
    ...     "Spend"})
    (['Revenue'], ['CTR', 'Cost / conv.'])
    """
    measures: list[str] = []
    ratios: list[str] = []
    for col in columns:
        if col in read or re.fullmatch(r".+\.\d+", col):
            continue  # read, or a repeated header's copy ("Currency code.1")
        norm = normalize_name(col)
        if _NOT_MEASURE.search(norm):
            continue  # "Result value type", "Conversion name", "Purchase ID"
        if "/" in col or _SHARE.search(col) or _RATIO.search(norm):
            ratios.append(col)
        elif _MEASURE.search(norm):
            measures.append(col)
    return measures, ratios


def unread_note(layout: str, measures: Sequence[str], ratios: Sequence[str]) -> str | None:
    """The ingest note for measure columns the layout does not read (None when none)."""
    if not measures:
        return None
    shown = listed(map(repr, measures), top=8)
    derived = (
        f"; the ratios derived from stored counts ({', '.join(ratios[:4])}"
        f"{' ...' if len(ratios) > 4 else ''}) are not read either"
        if ratios
        else ""
    )
    return (
        f"{len(measures)} column(s) that look like measures are not read by the {layout} layout "
        f"and are not stored: {shown}{derived}"
    )


def refuse_day_order(raw: RawTable, column: str, cells: pd.Series, dayfirst: bool | None) -> None:
    """Refuse a cell of ``column`` (a day, or a range of days) that reads only against the
    stated order ``dayfirst`` (nothing to refuse when None: the order is detected).

    Raises DataValidationError naming the file, the line and the column: the file's other days
    were read in that order too, and are as doubtful (never a guessed day).
    """
    if dayfirst is None or not pd.api.types.is_string_dtype(cells.dtype):
        return  # no order stated, or typed days (an .xlsx date cell has no order)
    col = cells.reset_index(drop=True).astype(object)
    text = col.where(col.map(lambda v: isinstance(v, str)), None)
    ends = text.str.extract(_RANGE)  # a range cell's two days (not a range: NaN)
    found = [
        (i, str(texts.iat[i]).strip())
        for texts in (col, ends[0], ends[1])
        if (i := day_order_conflict(texts, dayfirst)) is not None
    ]
    if found:
        i, text = min(found)
        raise DataValidationError(
            f"{raw.path}: line {raw.rows[i]}, field {column!r}: {day_order_problem(text, dayfirst)}"
        )


def _day_texts(cells: Iterable[object]) -> list[str]:
    """The day texts of ``cells``: a range cell ("10/1/2026 - 10/7/2026") gives both ends."""
    out: list[str] = []
    for v in cells:
        if _blank(v):
            continue
        s = str(v).strip()
        m = _RANGE.match(s)
        out += [m.group(1), m.group(2)] if m else [s]
    return out


def _shift(s: pd.Series, *, days: int, dayfirst: bool | None = None) -> pd.Series:
    ts, _why = read_timestamps(s, dayfirst=dayfirst)
    return (ts + pd.Timedelta(days=days)).dt.strftime("%Y-%m-%d").astype(object).where(ts.notna())


def _month_end(s: pd.Series, *, dayfirst: bool | None = None) -> pd.Series:
    ts, _why = read_timestamps(s, dayfirst=dayfirst)
    end = ts + pd.offsets.MonthEnd(0)
    return end.dt.strftime("%Y-%m-%d").astype(object).where(ts.notna())


_RANGE = re.compile(r"^(?:[A-Za-z ]+:\s*)?\"?(.+?)\s+[-–]\s+(.+?)\"?\s*(?:\((?:UTC|GMT)\))?$")


def preamble_period(
    preamble: list[str], dayfirst: bool | None = None, *, source: object = None
) -> tuple[str, str] | None:
    """The report period a preamble states, as ISO days, or None.

    Understands "27 January 2026 - 23 February 2026", "Report Date Range: 2026-05-27 -
    2026-06-25 (UTC)", "Start date: 20251015" / "End date: 20260112", "20220701-20220731",
    "Report Start: ..." / "Report End: ...". Slash days are read in the order ``dayfirst``
    states, else in the order the period's own days show ("10/4/2026 - 10/25/2026" is
    month-first); a period that reads only against a stated order is refused
    (DataValidationError naming ``source`` and the line), one that reads both ways with no
    order stated is None.

    >>> preamble_period(["Campaign report", "27 January 2026 - 23 February 2026"])
    ('2026-01-27', '2026-02-23')
    >>> preamble_period(["Start date: 20251015", "End date: 20260112"])
    ('2025-10-15', '2026-01-12')
    >>> line = "10/4/2026 - 10/10/2026"
    >>> preamble_period([line]), preamble_period([line], True), preamble_period([line], False)
    (None, ('2026-04-10', '2026-10-10'), ('2026-10-04', '2026-10-10'))
    """

    def days(texts: list[str], order: bool | None) -> list[str | None]:
        ts, _why = read_timestamps(pd.Series(texts, dtype=object), dayfirst=order)
        return [None if pd.isna(t) else t.strftime("%Y-%m-%d") for t in ts]

    def stated(texts: list[str], line: str, period: bool) -> bool | None:
        """The order to read ``texts`` in; refuses a period that reads only against it."""
        if dayfirst is None:
            return detect_dayfirst(texts)
        j = day_order_conflict(texts, dayfirst)
        # a "Start date:" line is a day; a "X - Y" line is a period only when both ends are days
        if j is not None and (period or None not in days(texts, not dayfirst)):
            where = f"{source}: " if source is not None else ""
            why = day_order_problem(texts[j], dayfirst)
            raise DataValidationError(f"{where}the preamble line {line.strip()!r}: {why}")
        return dayfirst

    found: dict[str, list[tuple[str, str]]] = {"start": [], "end": []}
    for line in preamble:
        s = line.strip().strip('"').strip()
        if len(s) > 200:
            continue  # not a title or period line (and no pattern below should scan it)
        low = s.lower()
        m = re.match(r"^(?:report\s+)?(start|end)(?:\s+date)?\s*:\s*(.+)$", low)
        if m:
            found[m.group(1)].append((line, s.split(":", 1)[1].strip().strip('"')))
            continue
        m8 = re.fullmatch(r"(\d{8})\s*-\s*(\d{8})", s)
        m = m8 or _RANGE.match(s)
        if m:
            texts = [m.group(1).strip().strip('"'), m.group(2).strip().strip('"')]
            a, b = days(texts, stated(texts, line, period=False))
            if a and b:
                return a, b
    if not found["start"] or not found["end"]:
        return None  # no period stated (a plain day, a title): nothing more to read
    texts = [t for _line, t in [*found["start"], *found["end"]]]
    for line, t in [*found["start"], *found["end"]]:
        stated([t], line, period=True)
    order = dayfirst if dayfirst is not None else detect_dayfirst(texts)
    # the last readable start and end (a later unreadable line does not undo an earlier one)
    start = next((d for d in reversed(days([t for _, t in found["start"]], order)) if d), None)
    end = next((d for d in reversed(days([t for _, t in found["end"]], order)) if d), None)
    if start and end:
        return start, end
    return None


# ====================================================================== Meta
_META_PLATFORMS = {
    "facebook": "facebook",
    "instagram": "instagram",
    "messenger": "other",
    "audience_network": "other",
    "whatsapp": "other",
    "threads": "other",
}


@register_format
class MetaAdsFormat(AdsExportFormat):
    """Meta Ads Manager exports (Ads Manager and Ads Reporting, CSV or XLSX).

    Campaign / ad set / ad level, with or without ids ("Ads" names the ads in some exports),
    breakdowns by age, gender, placement, platform, region, country and device, daily rows
    ("Day") or range rows ("Reporting starts"/"Reporting ends"), "Amount spent (XXX)" with the
    currency in the header or a "Currency" column. "Results" are kept with their "Result type"
    ("Result indicator"); conversions are the "Purchases" column where there is one, else the
    results whose type is a purchase. Meta leaves zero metrics empty: blanks are zeros. The
    account-total row (empty dimensions) is set aside and used as a cross-check.

    Exports in Spanish, Portuguese, German, French and Italian are read by the names those
    interfaces give the columns ("Importe gastado (EUR)", "Inicio del informe" ...; see
    :mod:`micromix.ingest.ads_languages`).
    """

    lookup_name = "meta_ads"
    title = "Meta Ads Manager export"
    final_newline = True
    platform = "facebook"
    blank_is_zero = True
    vocabulary = META
    signature = (
        ("Impressions",),
        ("Amount spent (*)", "Amount spent"),
        (
            "Reporting starts",
            "Reporting ends",
            "Result type",
            "Result indicator",
            "Link clicks",
            "Frequency",
            "Ad set name",
            "Delivery status",
            "Delivery level",
            "Campaign delivery",
            "Campaign name",
            "Campaign ID",
            "Ad name",
            "Ad ID",
            "Day",
            "Clicks (all)",
        ),
    )
    # "Amount spent (USD)", "Campaign name", "Impressions" are in other platforms' exports too
    # (Reddit Ads writes "Amount Spent (USD)" beside "Campaign Name"): Meta is told by a column
    # only Ads Manager writes. Every real Meta export seen has one: the report range ("Reporting
    # starts"/"ends", which Ads Manager adds to every export), the delivery, result or
    # attribution columns, or the ad set; in another interface language, those columns in that
    # language, or the spend column's own name there ("Importe gastado (EUR)", "Ausgegebener
    # Betrag (EUR)": no other platform micromix reads writes it)
    evidence = (
        ("Reporting starts",),
        ("Reporting ends",),
        ("Ad set name",),
        ("Ad set ID",),
        ("Result type",),
        ("Result indicator",),
        ("Delivery status",),
        ("Delivery level",),
        ("Attribution setting",),
        ("Campaign delivery",),
        ("Ad set delivery",),
        ("Ad delivery",),
        *((name,) for vocab in META.values() for name in vocab.get("Amount spent (*)", ())),
    )
    fields: ClassVar[dict[str, tuple[str, ...]]] = localized_fields(
        {
            "account_id": ("Account ID", "Account name"),
            "campaign_id": ("Campaign ID", "Campaign name"),
            "campaign_name": ("Campaign name",),
            "ad_set": ("Ad set ID", "Ad set name"),
            "ad_set_name": ("Ad set name",),
            "ad_id": ("Ad ID", "Ad name", "Ads"),
            "ad_name": ("Ad name", "Ads"),
            "age": ("Age",),
            "gender": ("Gender",),
            "placement": ("Placement",),
            "region": ("Region", "Country", "DMA region"),
            "device": ("Impression device", "Device platform"),
            "impressions": ("Impressions",),
            "reach": ("Reach",),
            "clicks": ("Link clicks", "Clicks (all)", "Clicks"),
            "engagements": ("Post engagement", "Post engagements"),
            "views": ("ThruPlays", "Video plays", "3-second video plays"),
            "spend": ("Amount spent (*)", "Amount spent"),
            "results": ("Results",),
            "result_type": ("Result type", "Result indicator"),
            "conversion_value": (
                "Purchases conversion value",
                "Purchases conversion value for shared items only",
                "Website purchases conversion value",
                "Purchase conversion value",
            ),
        },
        META,
    )

    def _platform(self, c: ColumnLookup, f: pd.DataFrame) -> pd.Series:
        col = c.name(*self.names("Platform", "Publisher platform"))
        if col is None:
            return _const(f, self.platform)
        return f[col].map(
            lambda v: "facebook" if _blank(v) else _META_PLATFORMS.get(normalize_name(v), "other")
        )

    def adjust(self, out: pd.DataFrame, c: ColumnLookup, raw: RawTable) -> None:
        purchases = c.name(
            *self.names(
                "Purchases",
                "Website purchases",
                "Purchases with shared items",
                "Meta purchases",
                "In-app purchases",
            )
        )
        if purchases is not None:
            col = c.frame[purchases]
            data = out[SUMMARY].isna().to_numpy()
            blank = col.map(_blank).to_numpy()
            out["conversions"] = col if blank[data].all() else col.where(~(blank & data), "0")
        elif "results" in out.columns and "result_type" in out.columns:
            out["conversions"] = [
                (r if is_purchase_result(t) else None)
                for r, t in zip(out["results"].tolist(), out["result_type"].tolist())
            ]
        if "result_type" in out.columns and "results" in out.columns:
            # a zero (blank) result has no type: keep both empty rather than invent a 0 of no kind
            no_type = out["result_type"].map(_blank)
            out.loc[no_type & out["results"].map(lambda v: str(v) == "0"), "results"] = None
        if "date_end" in out.columns and "date" in out.columns:
            same = out["date_end"].map(repr) == out["date"].map(repr)
            out.loc[same.to_numpy(), "date_end"] = None


# ====================================================================== Google Ads
@register_format
class GoogleAdsFormat(AdsExportFormat):
    """Google Ads UI reports (campaign, ad group, keyword, search terms; any saved report).

    A title line and a period line ("27 January 2026 - 23 February 2026", "All time") above the
    header; "Impr.", "Clicks", "Cost", "Conversions"/"Conv.", "Conv. value", "Currency code",
    " --" for empty, thousands separators, UTF-16 tab-separated or UTF-8 comma-separated.
    "Total: ..." rows (in whichever column) are set aside and used as a cross-check. Rows cover
    the report's period unless a "Day"/"Week"/"Month" column says otherwise.

    Reports in Spanish, Portuguese, German, French and Italian are read by the names those
    interfaces give the columns ("Campaña", "Kosten", "Klicks", "Valor de conv." ...; see
    :mod:`micromix.ingest.ads_languages`), and their period line by its month names ("18 de
    septiembre de 2026 - 30 de septiembre de 2026").
    """

    lookup_name = "google_ads"
    title = "Google Ads report"
    final_newline = True
    platform = "google"
    strategy = None
    other_strategy_why = (
        "only search and shopping campaigns (and keyword or search-term reports) are "
        "'search': Performance Max and Smart campaigns spend one budget across Search, YouTube, "
        "Display, Discover, Gmail and Maps without splitting it by surface, and Display, Video "
        "and Demand Gen campaigns are not search"
    )
    vocabulary = GOOGLE
    signature = (
        (
            "Campaign",
            "Campaign name",
            "Campaign ID",
            "Search term",
            "Keyword",
            "Search keyword",
        ),
        ("Impr.", "Impressions"),
        ("Cost",),
        (
            "Currency code",
            "Avg. CPC",
            "Conv. rate",
            "Cost / conv.",
            "Conv.",
            "Interaction rate",
            "Conv. value",
        ),
    )
    fields: ClassVar[dict[str, tuple[str, ...]]] = localized_fields(
        {
            "account_id": ("Account", "Account name", "Customer ID"),
            "campaign_id": ("Campaign ID", "Campaign", "Campaign name"),
            "campaign_name": ("Campaign", "Campaign name"),
            "campaign_type": ("Campaign type", "Advertising channel type"),
            "ad_set": ("Ad group ID", "Ad group", "Ad group name", "Asset group"),
            "ad_set_name": ("Ad group", "Ad group name", "Asset group"),
            "ad_id": ("Ad ID", "Ad"),
            "keyword": ("Keyword", "Search keyword"),
            "match_type": ("Match type", "Search keyword match type", "Keyword match type"),
            "search_term": ("Search term",),
            "device": ("Device",),
            "region": ("Country/Territory", "Region", "Location"),
            "impressions": ("Impr.", "Impressions"),
            "clicks": ("Clicks",),
            "views": ("Video views", "Views"),
            "spend": ("Cost",),
            "conversions": ("Conversions", "Conv."),
            "conversion_value": ("Conv. value", "Conversion value", "Total conv. value"),
        },
        GOOGLE,
    )

    def adjust(self, out: pd.DataFrame, c: ColumnLookup, raw: RawTable) -> None:
        group_type = c.name("Ad group type")
        _search_strategy(out, c.frame[group_type] if group_type is not None else None)


#: Google Ads ad group types that serve on search: "Standard" and "Dynamic" (search ads),
#: "Shopping - Product" / "Shopping - Showcase" (shopping)
_SEARCH_AD_GROUP_TYPES = re.compile(r"^\s*(standard|dynamic|search|shopping)", re.I)


def _search_strategy(out: pd.DataFrame, group_type: pd.Series | None = None) -> None:
    """Strategy ``search`` for search/shopping campaigns (or ad groups of a search type) and
    keyword or search-term reports, ``other`` for the rest (display, video ...) of a search
    engine's report (in place)."""
    ctype = out["campaign_type"] if "campaign_type" in out.columns else None
    search_report = "search_term" in out.columns or "keyword" in out.columns
    types = ctype.tolist() if ctype is not None else [None] * len(out)
    groups = group_type.tolist() if group_type is not None else [None] * len(out)
    out["strategy"] = [
        "search"
        if search_report
        or (not _blank(t) and re.search(r"search|shopping", str(t), re.I))
        or (_blank(t) and not _blank(g) and _SEARCH_AD_GROUP_TYPES.match(str(g)))
        else "other"
        for t, g in zip(types, groups)
    ]


# ====================================================================== TikTok
@register_format
class TikTokAdsFormat(AdsExportFormat):
    """TikTok Ads Manager custom-report exports (campaign / ad group / ad, by day or total).

    "Cost" (or "Total cost"), "Impressions", "Clicks (destination)" (or "Clicks (all)",
    "Clicks"), "Conversions", "Complete payment" (purchases) and its value, "Reach",
    "Video views", a "Currency" column where exported.
    """

    lookup_name = "tiktok_ads"
    title = "TikTok Ads Manager export"
    platform = "tiktok"
    signature = (
        ("Campaign name", "Campaign ID", "Ad group name", "Ad name"),
        ("Cost", "Total cost", "Spend"),
        ("Impressions", "Impression"),
    )
    evidence = (
        ("Clicks (destination)",),
        ("CTR (destination)",),
        ("CPC (destination)",),
        ("2-second video views",),
        ("6-second video views",),
        ("Video views at 25%",),
        ("Video views at 100%",),
        ("Complete payment",),
        ("Total complete payment value",),
        ("Paid followers",),
        ("Profile visits",),
        ("By Day",),
        ("Stat time day",),
    )
    fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "account_id": ("Advertiser ID", "Advertiser name", "Account"),
        "campaign_id": ("Campaign ID", "Campaign name"),
        "campaign_name": ("Campaign name",),
        "ad_set": ("Ad group ID", "Ad group name"),
        "ad_set_name": ("Ad group name",),
        "ad_id": ("Ad ID", "Ad name"),
        "ad_name": ("Ad name",),
        "age": ("Age",),
        "gender": ("Gender",),
        "placement": ("Placement",),
        "region": ("Country/Region", "Location", "Region"),
        "impressions": ("Impressions", "Impression"),
        "reach": ("Reach",),
        "clicks": ("Clicks (destination)", "Clicks (all)", "Clicks"),
        "engagements": ("Engagements", "Paid engagements"),
        "views": ("Video views", "Video Views", "Video plays"),
        "spend": ("Cost", "Total cost", "Spend"),
        "conversions": ("Complete payment", "Purchases", "Total complete payment"),
        "conversion_value": (
            "Total complete payment value",
            "Complete payment value",
            "Purchase value",
            "Total purchase value",
        ),
        "results": ("Conversions", "Results", "Result"),
    }

    def adjust(self, out: pd.DataFrame, c: ColumnLookup, raw: RawTable) -> None:
        if "results" in out.columns and "result_type" not in out.columns:
            out["result_type"] = _const(out, "conversions (optimisation event)")


# ====================================================================== LinkedIn
@register_format
class LinkedInAdsFormat(AdsExportFormat):
    """LinkedIn Campaign Manager performance exports (preamble lines above the header).

    "Total Spent" (or "Amount Spent"), "Impressions", "Clicks", "Conversions", "Total
    Engagements", "Currency", "Start Date (in UTC)"; campaign groups, campaigns and creatives.
    """

    lookup_name = "linkedin_ads"
    title = "LinkedIn Campaign Manager export"
    platform = "linkedin"
    signature = (
        ("Impressions",),
        ("Total Spent", "Amount Spent", "Amount spent in local currency", "Total spent (*)"),
        (
            "Campaign Group Name",
            "Campaign Group",
            "Campaign Group ID",
            "Clicks to Landing Page",
            "Lead Forms Opened",
            "Total Social Actions",
            "Total Engagements",
        ),
    )
    fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "account_id": ("Account ID", "Account Name", "Account"),
        "campaign_id": ("Campaign ID", "Campaign Name", "Campaign"),
        "campaign_name": ("Campaign Name", "Campaign"),
        "campaign_type": ("Campaign Type",),
        "ad_id": ("Creative ID", "Ad ID", "Creative Name", "Ad Name"),
        "ad_name": ("Creative Name", "Ad Name"),
        "impressions": ("Impressions",),
        "clicks": ("Clicks",),
        "engagements": ("Total Engagements", "Total Social Actions"),
        "views": ("Video Views", "Video Plays"),
        "spend": (
            "Total Spent",
            "Amount Spent",
            "Amount spent in local currency",
            "Total spent (*)",
        ),
        "conversions": ("Conversions",),
        "conversion_value": ("Conversion Value", "Conversion Value in Local Currency"),
        "results": ("Leads",),
    }

    def adjust(self, out: pd.DataFrame, c: ColumnLookup, raw: RawTable) -> None:
        if "results" in out.columns:
            out["result_type"] = _const(out, "leads")


# ====================================================================== Pinterest
@register_format
class PinterestAdsFormat(AdsExportFormat):
    """Pinterest Ads Manager exports (campaign / ad group / ad by date).

    "Spend in account currency" (no currency code: pass ``--currency``), "Impressions",
    "Reach", "Pin clicks", "Engagements", "Result" (in brackets, ``[0.93]``), and the checkout
    conversions ("Total conversions (Checkout)", "Total order value (Checkout)").
    """

    lookup_name = "pinterest_ads"
    title = "Pinterest Ads Manager export"
    platform = "pinterest"
    signature = (
        ("Impressions",),
        ("Spend in account currency", "Spend"),
        (
            "Pin clicks",
            "Spend in account currency",
            "Earned saves",
            "Organic pin ID",
            "Total conversions (Checkout)",
            "Outbound clicks",
        ),
        ("Ad group name", "Ad group ID", "Pin ID", "Organic pin ID", "Pin clicks"),
    )
    fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "account_id": ("Advertiser ID", "Ad account ID", "Advertiser name"),
        "campaign_id": ("Campaign ID", "Campaign name"),
        "campaign_name": ("Campaign name",),
        "ad_set": ("Ad group ID", "Ad group name"),
        "ad_set_name": ("Ad group name",),
        "ad_id": ("Ad ID", "Ad name", "Pin ID"),
        "ad_name": ("Ad name",),
        "age": ("Age",),
        "gender": ("Gender",),
        "region": ("Country", "Location", "Metro"),
        "device": ("Device",),
        "impressions": ("Impressions",),
        "reach": ("Reach",),
        "clicks": ("Pin clicks", "Outbound clicks", "Clicks"),
        "engagements": ("Engagements",),
        "views": ("Video views", "Total video views"),
        "spend": ("Spend in account currency", "Spend"),
        "conversions": ("Total conversions (Checkout)", "Conversions (Checkout)"),
        "conversion_value": ("Total order value (Checkout)", "Order value (Checkout)"),
        "results": ("Result", "Results"),
    }

    def adjust(self, out: pd.DataFrame, c: ColumnLookup, raw: RawTable) -> None:
        if "results" in out.columns:
            out["result_type"] = _const(out, "campaign objective result")


# ====================================================================== Snapchat
@register_format
class SnapchatAdsFormat(AdsExportFormat):
    """Snapchat Ads Manager exports: campaign / ad squad / ad, "Spend" (or "Amount Spent"),
    "Paid Impressions" (or "Impressions"), "Swipe Ups"/"Swipes" as clicks, purchases and their
    value, "Currency"."""

    lookup_name = "snapchat_ads"
    title = "Snapchat Ads Manager export"
    platform = "snapchat"
    signature = (
        ("Ad Squad Name", "Ad Squad ID", "Ad Squad", "Swipe Ups", "Swipes", "Paid Impressions"),
        ("Spend", "Amount Spent"),
        ("Impressions", "Paid Impressions"),
    )
    fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "account_id": ("Ad Account Name", "Ad Account ID", "Account"),
        "campaign_id": ("Campaign ID", "Campaign Name", "Campaign"),
        "campaign_name": ("Campaign Name", "Campaign"),
        "ad_set": ("Ad Squad ID", "Ad Squad Name", "Ad Squad"),
        "ad_set_name": ("Ad Squad Name", "Ad Squad"),
        "ad_id": ("Ad ID", "Ad Name", "Ad"),
        "ad_name": ("Ad Name", "Ad"),
        "impressions": ("Paid Impressions", "Impressions"),
        "reach": ("Reach", "Uniques"),
        "clicks": ("Swipe Ups", "Swipes", "Clicks"),
        "views": ("Video Views", "Paid Video Views"),
        "spend": ("Spend", "Amount Spent"),
        "conversions": ("Purchases", "Conversion Purchases"),
        "conversion_value": ("Purchases Value", "Conversion Purchases Value", "Purchase Value"),
    }


# ====================================================================== X (Twitter) ads
@register_format
class XAdsFormat(AdsExportFormat):
    """X (Twitter) Ads Manager exports: campaigns, ad groups ("line items") and promoted posts,
    "Spend"/"Billed charge", "Impressions", "Link clicks"/"Clicks", "Engagements", "Results" with
    "Result type", "Currency", "Time period" ranges."""

    lookup_name = "x_ads"
    title = "X (Twitter) Ads export"
    platform = "x"
    signature = (
        ("Impressions",),
        ("Spend", "Billed charge", "Total spend"),
        ("Time period", "Campaign name", "Campaign ID", "Line item name"),
    )
    # "Time period", "Campaign name", "Impressions" and "Spend" alone are in many platforms'
    # exports (Microsoft Advertising's too): X is told by its own columns
    evidence = (
        ("Billed charge",),
        ("Funding source",),
        ("Funding source name",),
        ("Funding source ID",),
        ("Line item name",),
        ("Line item ID",),
        ("Promoted tweet ID",),
        ("Promoted post ID",),
        ("Tweet ID",),
        ("Post ID",),
        ("Time period", "Result type"),
    )
    fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "account_id": ("Account name", "Account ID", "Funding source name"),
        "campaign_id": ("Campaign ID", "Campaign name"),
        "campaign_name": ("Campaign name",),
        "ad_set": ("Ad group ID", "Ad group name", "Line item ID", "Line item name"),
        "ad_set_name": ("Ad group name", "Line item name"),
        "ad_id": ("Post ID", "Tweet ID", "Promoted tweet ID", "Ad ID", "Ad name"),
        "ad_name": ("Ad name",),
        "impressions": ("Impressions",),
        "clicks": ("Link clicks", "Clicks", "Url clicks"),
        "engagements": ("Engagements",),
        "views": ("Video views", "Media views"),
        "spend": ("Spend", "Billed charge", "Total spend"),
        "conversions": ("Purchases", "Conversions (purchase)", "Site visits purchase"),
        "results": ("Results",),
        "result_type": ("Result type",),
    }
    period_columns = ("Time period",)


# ====================================================================== Spotify
@register_format
class SpotifyAdsFormat(AdsExportFormat):
    """Spotify Ad Studio exports: ``Key: value`` preamble lines ("Report Date Range: ..."), then
    campaign / ad set / ad ids and names, "Date" (``2026/05/27``), "Impressions", "Reach",
    "Clicks", "Spend" (no currency code: pass ``--currency``), "Purchases", "Attributed
    revenue"; ``-`` for not applicable. Strategy ``other``: audio ads are not social."""

    lookup_name = "spotify_ads"
    title = "Spotify Ad Studio export"
    platform = "spotify"
    # audio (and video) ads heard in a music app: not paid social (see micromix.ingest.strategy)
    strategy = "other"
    other_strategy_why = "Spotify ads are audio and video ads in a music app, not paid social"
    signature = (
        ("Impressions",),
        ("Spend",),
        ("Ad played to: 100%", "Ad played to: 25%", "completion rate", "Starts"),
    )
    fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "campaign_id": ("Campaign id", "Campaign name"),
        "campaign_name": ("Campaign name",),
        "ad_set": ("Ad set id", "Ad set name"),
        "ad_set_name": ("Ad set name",),
        "ad_id": ("Ad id", "Ad name"),
        "ad_name": ("Ad name",),
        "impressions": ("Impressions",),
        "reach": ("Reach",),
        "clicks": ("Clicks",),
        "views": ("Starts",),
        "spend": ("Spend",),
        "conversions": ("Purchases",),
        "conversion_value": ("Attributed revenue",),
    }


# ====================================================================== Microsoft Advertising
@register_format
class MicrosoftAdsFormat(AdsExportFormat):
    """Microsoft Advertising (Bing Ads) reports: campaign, ad group, keyword, search query.

    Downloads from the Reports page or the Reporting API: a preamble of quoted ``Key: value``
    lines ("Report Name:", "Report Time:", "Time Zone:", "Report Aggregation:", "Rows:"), a
    blank line, the header, the rows, and a copyright footer ("©2026 Microsoft Corporation.
    All rights reserved."). Column names as the web UI writes them ("Campaign name", "Impr.",
    "Spend", "Conv.", "Revenue", "Currency code", "Time period") or as the API does
    ("CampaignName", "Impressions", "Spend", "Conversions", "Revenue", "CurrencyCode",
    "TimePeriod"). A "Total" row is set aside and cross-checked.
    """

    lookup_name = "microsoft_ads"
    title = "Microsoft Advertising report"
    platform = "microsoft"
    strategy = None
    other_strategy_why = (
        "only search and shopping campaigns and keyword or search-query reports are 'search'; "
        "audience (native and display) campaigns are not search"
    )
    signature = (
        (
            "Campaign name",
            "CampaignName",
            "Campaign ID",
            "CampaignId",
            "Account name",
            "AccountName",
            "Ad group",
            "AdGroupName",
            "Keyword",
            "Search term",
            "SearchQuery",
        ),
        ("Impr.", "Impressions"),
        ("Spend",),
    )
    # "Impr." beside "Spend" (Google Ads writes "Impr." beside "Cost"), the API's names, or the
    # report's own preamble and footer lines
    evidence = (
        ("Impr.", "Spend"),
        ("TimePeriod",),
        ("CurrencyCode",),
        ("AdDistribution",),
        ("AccountNumber",),
        ("CampaignName",),
        ("AdGroupName",),
        ("Conv.", "Spend"),
    )
    marks = (
        r"microsoft corporation",
        r"^\W*report aggregation\s*:",
        r"^\W*last completed available (day|hour)\s*:",
    )
    fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "account_id": (
            "Account number",
            "AccountNumber",
            "Account ID",
            "AccountId",
            "Account name",
            "AccountName",
        ),
        "campaign_id": ("Campaign ID", "CampaignId", "Campaign name", "CampaignName"),
        "campaign_name": ("Campaign name", "CampaignName"),
        "campaign_type": ("Campaign type", "CampaignType"),
        "ad_set": ("Ad group ID", "AdGroupId", "Ad group", "Ad group name", "AdGroupName"),
        "ad_set_name": ("Ad group", "Ad group name", "AdGroupName"),
        "ad_id": ("Ad ID", "AdId", "Ad title", "AdTitle"),
        "ad_name": ("Ad title", "AdTitle"),
        "keyword": ("Keyword",),
        "match_type": (
            "Delivered match type",
            "DeliveredMatchType",
            "Match type",
            "Bid match type",
            "BidMatchType",
        ),
        "search_term": ("Search term", "Search query", "SearchQuery"),
        "device": ("Device type", "DeviceType"),
        "region": ("Country/Region", "Country", "State", "Location"),
        "impressions": ("Impr.", "Impressions"),
        "clicks": ("Clicks",),
        "spend": ("Spend",),
        "conversions": ("Conv.", "Conversions"),
        "conversion_value": ("Revenue",),
    }
    period_columns = ("Time period", "TimePeriod", "Gregorian date", "GregorianDate")

    def adjust(self, out: pd.DataFrame, c: ColumnLookup, raw: RawTable) -> None:
        _search_strategy(out)

    def _dates(
        self, out: pd.DataFrame, c: ColumnLookup, raw: RawTable, dayfirst: bool | None = None
    ) -> None:
        """A row covers the period the "Report Aggregation:" line names: "Time period" holds the
        first day of a Weekly / Monthly / Quarterly / Yearly row, which ends 6 days later or on
        its month's (quarter's, year's) last day; a Summary row covers the "Report Time:" range;
        both are clipped to that range. Daily and Hourly rows, and cells that hold a range,
        keep their days as the cells give them. Days are read in the order ``dayfirst`` states
        (a day against it is refused), else in the order the file's days show; a weekly or
        monthly report whose days read both ways is refused, a summary one stays undated."""
        line, unit = _ms_aggregation(raw)
        if unit is None:
            super()._dates(out, c, raw, dayfirst)
            return
        f = c.frame
        period = c.name(*self.period_columns)
        cells = f[period] if period is not None else pd.Series([None] * len(f), dtype=object)
        cells = cells.reset_index(drop=True)
        # a cell holding a range ("10/1/2026 - 10/7/2026") states its own days: kept as it is
        ranged = cells.map(lambda v: not _blank(v) and bool(_MS_RANGE.search(str(v))))
        time_line = next((s for s in raw.preamble if _MS_REPORT_TIME.match(s)), "")
        stated = _MS_REPORT_TIME.match(time_line)
        span = [stated.group(1), stated.group(2)] if stated else []
        if span:  # the "Report Time:" line is a period: refused when it reads against the order
            preamble_period([time_line], dayfirst, source=raw.path)
        if unit == "report":
            if not span:
                super()._dates(out, c, raw, dayfirst)  # no "Report Time:" line: as any report
                return
            cells = cells.where(ranged, span[0])
        own = cells.where(~ranged & ~cells.map(_blank), None)
        texts = [*own.dropna().map(str), *span]
        order = dayfirst if dayfirst is not None else detect_dayfirst(texts)
        if order is None and _ms_ambiguous(texts):
            if unit == "report":
                # the range reads two ways ("10/1/2026 - 10/7/2026"): the rows stay undated,
                # as any report whose period micromix cannot read (never a guessed range)
                super()._dates(out, c, raw)
                return
            example = next(t for t in texts if _ms_ambiguous([t]))
            raise InputFileError(
                f'{raw.path}: the days of this "{line}" report (such as {example}) may be '
                "month/day or day/month and nothing in the file tells which, so the end of each "
                "row's period cannot be worked out; ingest it with --monthfirst or --dayfirst, "
                "whichever order the account writes its days in"
            )
        start = _ms_days(own, order)
        if unit == "report":
            end = _ms_days(pd.Series([span[1]] * len(own), dtype=object), order).where(
                start.notna()
            )
        else:
            end = start + _MS_PERIOD_END[unit]
        if span:
            first, last = _ms_days(pd.Series(span, dtype=object), order).tolist()
            if pd.notna(first):
                start = start.where(start.isna() | (start >= first), first)
            if pd.notna(last):  # (a row starting after the range keeps its own period)
                end = end.where(end.isna() | (end <= last) | (start > last), last)
        iso = start.notna().to_numpy()
        # ranges, and cells that are not days (a "Total" label); a day against the order refused
        super()._dates(out, c, raw, dayfirst)
        blank = pd.Series(None, index=out.index, dtype=object)
        for col, days in (("date", start), ("date_end", end)):
            kept = out[col] if col in out.columns else blank
            out[col] = pd.Series(
                [days.iat[i].strftime("%Y-%m-%d") if iso[i] else v for i, v in enumerate(kept)],
                index=out.index,
                dtype=object,
            )


#: Microsoft's "Report Aggregation:" and "Report Time:" preamble lines, and a range in a cell
_MS_AGGREGATION = re.compile(r"^\W*report\s+aggregation\s*:\s*(.*?)\W*$", re.IGNORECASE)
_MS_REPORT_TIME = re.compile(r"^\W*report\s+time\s*:\s*(.+?)\s+[-–]\s+(.+?)\W*$", re.IGNORECASE)
_MS_RANGE = re.compile(r"\d\s*[-–]\s+\S|\S\s+[-–]\s*\d")
#: what each aggregation's row covers (None: the cell's own day)
_MS_UNITS: dict[str, str | None] = {
    "daily": None,
    "hourly": None,
    "weekly": "week",
    "weeklystartingmonday": "week",
    "monthly": "month",
    "quarterly": "quarter",
    "yearly": "year",
    "summary": "report",
}
#: aggregations that sum rows over the report by hour or weekday: not periods of time
_MS_NOT_PERIODS = ("hourofday", "dayofweek")
_MS_PERIOD_END = {
    "week": pd.Timedelta(days=6),
    "month": pd.offsets.MonthEnd(0),
    "quarter": pd.offsets.QuarterEnd(0),
    "year": pd.offsets.YearEnd(0),
}


def _ms_aggregation(raw: RawTable) -> tuple[str, str | None]:
    """The "Report Aggregation: ..." line of a Microsoft report and what a row of it covers
    (None: a day, as the cell gives it; also when the report has no such line).

    Raises InputFileError for an aggregation whose rows are not periods of time (Hour of day,
    Day of week) or one the layout does not know how to date.
    """
    line = next((s.strip() for s in raw.preamble if _MS_AGGREGATION.match(s)), None)
    if line is None:
        return "", None
    m = _MS_AGGREGATION.match(line)
    key = re.sub(r"[^a-z]", "", m.group(1).lower()) if m else ""
    if key in _MS_NOT_PERIODS:
        raise InputFileError(
            f'{raw.path}: the preamble line "{line}" means each row adds up the same hour or '
            "weekday over the whole report, not a period of time micromix can place on days; "
            "download the report by day, week or month (Report Aggregation: Daily, Weekly or "
            "Monthly)"
        )
    if key not in _MS_UNITS:
        raise InputFileError(
            f'{raw.path}: the preamble line "{line}" names an aggregation micromix cannot '
            "date the rows of; download the report by day, week or month (Report "
            "Aggregation: Daily, Weekly or Monthly)"
        )
    return line, _MS_UNITS[key]


def _ms_days(texts: pd.Series, dayfirst: bool | None) -> pd.Series:
    """Days (midnight, no zone) of ``texts`` in the given d/m order; NaT where not a day."""
    ts, _why = read_timestamps(texts.reset_index(drop=True), dayfirst=dayfirst)
    return ts.dt.tz_localize(None).dt.normalize()


def _ms_ambiguous(texts: list[str]) -> bool:
    """Whether a text reads as two different days, month- or day-first ("10/4/2026")."""
    s = pd.Series(texts, dtype=object)
    a, b = _ms_days(s, True), _ms_days(s, False)
    return bool((a.notna() & b.notna() & (a != b)).any())


# ====================================================================== Amazon Ads
@register_format
class AmazonAdsFormat(AdsExportFormat):
    """Amazon Ads sponsored ads reports (campaign, targeting, search term, advertised product).

    "Start Date"/"End Date" of the report range on every row (or a "Date" for daily rows),
    "Currency", "Campaign Name", "Impressions", "Clicks", "Spend"; orders and sales over the
    attribution window the headers name ("7 Day Total Orders (#)", "7 Day Total Sales " for
    Sponsored Products, "14 Day ..." for Sponsored Brands and Display) as conversions and
    conversion value; Sponsored Brands reports that give only the click-attributed totals
    ("14 Day Total Orders (#) - (Click)", "14 Day Total Sales - (Click)") have those read
    instead (where both are given, the all-attribution total is read and the click column is
    named as unread). New-to-brand orders and sales are a part of the totals and are not read
    (named in the note). ACOS, ROAS, CTR, CPC and conversion rate are derived and not read.
    """

    lookup_name = "amazon_ads"
    title = "Amazon Ads sponsored ads report"
    platform = "amazon"
    strategy = "search"
    signature = (
        ("Campaign Name", "Campaign ID"),
        ("Impressions",),
        ("Spend", "Cost"),
    )
    evidence = (
        ("7 Day Total Sales",),
        ("14 Day Total Sales",),
        ("7 Day Total Orders (#)",),
        ("14 Day Total Orders (#)",),
        ("14 Day Total Sales - (Click)",),
        ("14 Day Total Orders (#) - (Click)",),
        ("Total Advertising Cost of Sales (ACOS)",),
        ("Total Advertising Cost of Sales (ACoS)",),
        ("Customer Search Term",),
        ("Advertised ASIN",),
        ("Portfolio name",),
    )
    fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "campaign_id": ("Campaign ID", "Campaign Name"),
        "campaign_name": ("Campaign Name",),
        "ad_set": ("Ad Group ID", "Ad Group Name"),
        "ad_set_name": ("Ad Group Name",),
        "ad_id": ("Ad ID", "Advertised ASIN", "Advertised SKU"),
        "keyword": ("Targeting", "Keyword"),
        "match_type": ("Match Type",),
        "search_term": ("Customer Search Term",),
        "region": ("Country",),
        "impressions": ("Impressions",),
        "clicks": ("Clicks",),
        "spend": ("Spend", "Cost"),
        "conversions": (
            "7 Day Total Orders (#)",
            "14 Day Total Orders (#)",
            "7 Day Total Orders",
            "14 Day Total Orders",
            "14 Day Total Orders (#) - (Click)",
        ),
        "conversion_value": (
            "7 Day Total Sales",
            "14 Day Total Sales",
            "14 Day Total Sales - (Click)",
        ),
    }

    def _dates(
        self, out: pd.DataFrame, c: ColumnLookup, raw: RawTable, dayfirst: bool | None = None
    ) -> None:
        start, end = c.name("Start Date"), c.name("End Date")
        if c.name("Date", "Day") is None and start is not None:
            for col in (start, end):
                if col is not None:
                    refuse_day_order(raw, col, c.frame[col], dayfirst)
            out["date"] = c.frame[start]  # the report's range, on every row
            if end is not None:
                out["date_end"] = c.frame[end]
            return
        super()._dates(out, c, raw, dayfirst)


def _code(v: object) -> str | None:
    """A currency cell as an upper-case code (None when blank)."""
    return None if _blank(v) else str(v).strip().upper()
