"""``micromix social ...`` and ``micromix creators ...``: listening, sentiment, user content, creators.

Thin layer: parse arguments, call :mod:`micromix.social` / :mod:`micromix.influencers`, print or
write the result.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from micromix.cli._common import (
    BACKEND_HELP,
    date_order,
    emit_frame,
    emit_json,
    err_console,
    note_empty_texts,
    open_store,
    progress_bar,
    read_input,
    run_command,
    styled,
    write_csv,
)
from micromix.errors import ColumnNotFoundError, ConfigError, DataValidationError

__all__ = ["creators_app", "register", "social_app"]

social_app = typer.Typer(
    name="social",
    help="Social listening: brand mentions, share of voice, sentiment, user content to amplify.",
    no_args_is_help=True,
)
creators_app = typer.Typer(
    name="creators",
    help="Creators: tiers, engagement, authenticity, niche, cost; discovery for a brief.",
    no_args_is_help=True,
)


def _read(path: Path) -> Any:
    """Read a table (rule rows and wrapped JSON are handled by ``read_table``)."""

    df = read_input(path)
    if len(df) == 0:
        raise DataValidationError(
            f"{path}: the file has a header but no data rows; export it again"
        )
    return df


def _read_profiles(path: Path) -> Any:
    """Creator profiles with every cell as the file writes it: the profile reader types them
    (``18.2K``, ``1.39%``) and refuses a rate in euros rather than reading ``€250`` as 250
    dollars, a handle ``nan`` stays a handle, and columns passed through stay unchanged."""
    df = read_input(path, as_text=True)
    if len(df) == 0:
        raise DataValidationError(
            f"{path}: the file has a header but no data rows; export it again"
        )
    return df


def _column(df: Any, name: str, path: Path) -> str:
    """The column called ``name`` (exact, else case/punctuation-insensitive) or a clear error."""
    from micromix.social.columns import find_column

    col = name if name in df.columns else find_column(df.columns, (name,))
    if col is None:
        raise ColumnNotFoundError(
            f"{path}: column '{name}' not found; available columns: "
            f"{', '.join(map(str, df.columns[:30]))}"
        )
    return col


def _read_posts(path: Path, text_col: str | None, dayfirst: bool | None) -> Any:
    """A posts file read as ``ingest posts`` reads it (:func:`micromix.social.files.read_posts`),
    with what the reader had to say on stderr."""
    from micromix.social.files import read_posts

    df = read_posts(path, text_col=text_col, dayfirst=dayfirst)
    for line in df.attrs.get("notes", []):
        err_console.print(f"note: {line}", highlight=False, soft_wrap=True)
    return df


def _print_reasons(df: Any, key: str) -> None:
    from micromix.cli._common import console

    for k, why in zip(df[key], df["reasons"]):
        console.print(styled((str(k), "bold"), f": {why}"), highlight=False, soft_wrap=True)


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(x.strip() for x in (value or "").split(",") if x.strip())


@social_app.command("sentiment")
def sentiment_cmd(
    input: Path = typer.Option(..., "--input", "-i", help="CSV, TSV, JSON or JSONL file."),
    text_col: str = typer.Option(..., "--text-col", help="Column holding the text."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="CSV to write (default stdout)."
    ),
    scorer: str = typer.Option(
        "service", "--scorer", help="service (default) or vader (baseline)."
    ),
) -> None:
    """Add `sentiment` (positive|negative|neutral) and `sentiment_score` (-1..1) to every row.

    A row whose text is empty keeps its place with both left empty (counted on stderr).
    """

    def body() -> None:
        from micromix.social.sentiment import score_sentiment

        df = _read(input)
        col = _column(df, text_col, input)
        res = score_sentiment(df[col], scorer=scorer)
        out = df.drop(columns=[c for c in ("sentiment", "sentiment_score") if c in df.columns])
        out["sentiment"] = res["sentiment"].to_numpy()
        out["sentiment_score"] = res["sentiment_score"].round(4).to_numpy()
        note_empty_texts(
            res["sentiment"].isna().to_numpy(), col, "sentiment", "sentiment and sentiment_score"
        )
        write_csv(out, output)

    run_command(body)


@social_app.command("evaluate")
def evaluate_cmd(
    input: Path = typer.Option(
        ..., "--input", "-i", help="Labelled texts: CSV, TSV, JSON or JSONL."
    ),
    text_col: str = typer.Option(..., "--text-col", help="Column holding the text."),
    label_col: str = typer.Option(..., "--label-col", help="Column holding the true label."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Accuracy of the service scorer vs the VADER baseline on labelled texts."""

    def body() -> None:
        from micromix.social.sentiment import evaluate_sentiment

        df = _read(input)
        res = evaluate_sentiment(
            df[_column(df, text_col, input)], df[_column(df, label_col, input)]
        )
        emit_frame(res, as_json=as_json, title=f"Sentiment accuracy on {input.name}")

    run_command(body)


@social_app.command("listen")
def listen_cmd(
    input: Path = typer.Option(..., "--input", "-i", help="Posts: CSV, TSV, JSON or JSONL."),
    brand: str = typer.Option(..., "--brand", help="Brand name to listen for."),
    aliases: str | None = typer.Option(None, "--aliases", help="Comma-separated other names."),
    handles: str | None = typer.Option(None, "--handles", help="Comma-separated account handles."),
    hashtags: str | None = typer.Option(None, "--hashtags", help="Comma-separated hashtags."),
    competitors: str | None = typer.Option(
        None, "--competitors", help="Comma-separated competitor names."
    ),
    freq: str = typer.Option("D", "--freq", help="Trend period: h, D, W, M or Q."),
    text_col: str | None = typer.Option(None, "--text-col", help="Text column (default: auto)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    dayfirst: bool = typer.Option(False, "--dayfirst", help="Dates like 03/04/2024 are day-first."),
    monthfirst: bool = typer.Option(
        False, "--monthfirst", help="Dates like 03/04/2024 are month-first."
    ),
) -> None:
    """Mentions, share of voice against competitors, sentiment trend and earned media value.

    A post time that cannot be read (or a 03/04/2024 without --dayfirst/--monthfirst) is
    refused with its row; posts with an empty time are counted and said to be left out of the
    trend.
    """

    def body() -> None:
        from micromix.social.listening import BrandSpec, listen

        order = date_order(dayfirst, monthfirst)
        spec = BrandSpec(
            brand, aliases=_split(aliases), handles=_split(handles), hashtags=_split(hashtags)
        )
        comps = [BrandSpec(c) for c in _split(competitors)]
        df = _read_posts(input, text_col, order)
        res = listen(df, spec, comps, freq=freq, dayfirst=order, source=str(input))
        for line in res.meta.get("notes", []):
            err_console.print(f"note: {line}", highlight=False, soft_wrap=True)
        if as_json:
            emit_json(res.to_dict())
            return
        defined = f"engagement = {res.meta['engagement']}; emv in {res.meta['emv_currency']}"
        if "reported_engagements" in res.meta:
            defined += f"; reported_engagements = {res.meta['reported_engagements']}"
        emit_frame(
            res.share_of_voice,
            title=f"Share of voice ({res.meta['posts']:,} posts; {defined})",
        )
        emit_frame(res.sentiment_trend, title=f"{brand}: sentiment trend")

    run_command(body)


@social_app.command("amplify")
def amplify_cmd(
    input: Path | None = typer.Option(
        None, "--input", "-i", help="Posts: CSV, TSV, JSON or JSONL (or --db)."
    ),
    db: str | None = typer.Option(
        None,
        "--db",
        help="Rank the posts of this store instead of a file (micromix ingest posts FILE --db "
        "X filled it): DuckDB file or Parquet folder; with a warehouse --backend, ignored.",
    ),
    backend: str | None = typer.Option(
        None, "--backend", help=f"With --db: the store's engine. {BACKEND_HELP}"
    ),
    brand: str = typer.Option(..., "--brand", help="Brand name."),
    handles: str | None = typer.Option(
        None, "--handles", help="Comma-separated brand-owned handles."
    ),
    aliases: str | None = typer.Option(None, "--aliases", help="Comma-separated other names."),
    ads: Path | None = typer.Option(
        None, "--ads", help="Brand ads export for the CTR/CPM/CVR baseline."
    ),
    currency: str | None = typer.Option(
        None,
        "--currency",
        help="With --ads: the currency of the CPM/CPA baseline (the export's rows in it, or "
        "the currency of an export that states none).",
    ),
    top: int = typer.Option(20, "--top", help="Rows to show."),
    per_author: int = typer.Option(
        3, "--per-author", help="At most this many picks per author (0: no cap)."
    ),
    text_col: str | None = typer.Option(None, "--text-col", help="Text column (default: auto)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    dayfirst: bool = typer.Option(False, "--dayfirst", help="Dates like 03/04/2024 are day-first."),
    monthfirst: bool = typer.Option(
        False, "--monthfirst", help="Dates like 03/04/2024 are month-first."
    ),
) -> None:
    """Rank genuine user posts about the brand for paid amplification, with reasons.

    Sentiment is read from the sentences naming the brand; a post naming it only in a
    comparison or once in passing, or carrying like-for-like hashtags, is flagged (caveats)
    and scored down. At most --per-author picks per author. The posts come from a file
    (--input) or from the posts table of a store (--db, --backend), as plan --db and the API rank
    them.
    """

    def body() -> None:
        from micromix.social.listening import BrandSpec
        from micromix.social.ugc import (
            DEFAULT_BASELINE_NOTE,
            PER_AUTHOR_NOTE_END,
            ad_baseline,
            rank_for_amplification,
        )

        if top < 1:
            raise ConfigError(f"--top {top} must be >= 1")
        if per_author < 0:
            raise ConfigError(f"--per-author {per_author} must be >= 1 (or 0 for no cap)")
        from_store = _posts_source(input, db, backend, text_col, dayfirst, monthfirst)
        order = date_order(dayfirst, monthfirst)
        spec = BrandSpec(brand, aliases=_split(aliases), handles=_split(handles))
        if currency is not None and ads is None:
            raise ConfigError("--currency is the currency of --ads; pass the ads export too")
        base = ad_baseline(_read(ads), currency=currency) if ads is not None else None
        if from_store:
            from micromix.social.files import read_store_posts

            with open_store(db, backend, read_only=True) as store:
                df, source = read_store_posts(store), f"the posts of {store.path}"
        else:
            assert input is not None  # _posts_source: one of them
            df, source = _read_posts(input, text_col, order), str(input)
        res = rank_for_amplification(
            df,
            spec,
            baseline=base,
            top=top,
            dayfirst=order,
            source=source,
            per_author=per_author or None,
        )
        if "note" in res.attrs:
            err_console.print(res.attrs["note"], highlight=False, soft_wrap=True)
        # every note the ranking carries (the default baseline, no cost baseline, repeated
        # posts, ids a spreadsheet mangled), the default baseline's with the option to change it
        notes = [
            f"{n}; pass --ads with your ad export to use your own"
            if n == DEFAULT_BASELINE_NOTE
            else f"{n} (--per-author changes the cap; 0 keeps them all)"
            if n.endswith(PER_AUTHOR_NOTE_END)
            else n
            for n in res.attrs.get("notes", [])
        ]
        for line in notes:
            err_console.print(f"note: {line}", highlight=False, soft_wrap=True)
        if as_json:
            head = [res.attrs["note"]] if "note" in res.attrs else []
            emit_json(
                {
                    "brand": brand,
                    "currency": res.attrs["baseline"]["currency"],
                    "rows": res,
                    "notes": [*head, *notes],
                }
            )
            return
        if res.empty:
            return
        show = [
            "post_id",
            "author_id",
            "amplification_score",
            "sentiment",
            "caveats",
            "predicted_ctr",
            "predicted_cpa",
        ]
        emit_frame(res[show], title=f"User content to amplify for {brand}")
        _print_reasons(res, "post_id")

    run_command(body)


def _posts_source(
    input: Path | None,
    db: str | None,
    backend: str | None,
    text_col: str | None,
    dayfirst: bool,
    monthfirst: bool,
) -> bool:
    """Whether the posts come from the store (--db/--backend) rather than a file (--input):
    exactly one of them, and the file's reading options only with the file."""
    if input is not None and (db is not None or backend is not None):
        given = "--db" if db is not None else "--backend"
        raise ConfigError(
            f"--input and {given} exclude each other: rank the posts of a file (--input FILE) "
            "or of a store (--db X), not both"
        )
    if input is None and db is None and backend is None:
        raise ConfigError(
            "no posts to rank: pass --input FILE (a posts export) or --db X (a store that "
            "micromix ingest posts FILE --db X filled)"
        )
    if input is not None:
        return False
    for flag, passed in (
        ("--text-col", text_col is not None),
        ("--dayfirst", dayfirst),
        ("--monthfirst", monthfirst),
    ):
        if passed:
            raise ConfigError(
                f"{flag} is how to read a posts file (--input); the store's posts are already "
                f"read and typed: drop {flag} with --db"
            )
    return True


def _print_creator_notes(scored: Any) -> list[str]:
    """Print the notes of scored creators (no follower count, a label column, the post spread
    assumed ...) to stderr; returns them."""
    notes = [str(n) for n in scored.attrs.get("notes", [])]
    for note in notes:
        err_console.print(f"note: {note}", highlight=False, soft_wrap=True)
    return notes


@creators_app.command("score")
def score_cmd(
    input: Path = typer.Option(..., "--input", "-i", help="Profiles: CSV, TSV, JSON or JSONL."),
    posts: Path | None = typer.Option(None, "--posts", help="Posts by these creators (optional)."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="CSV to write (default stdout)."
    ),
    tiers: str = typer.Option("default", "--tiers", help="Tier preset: default or marketing."),
    last_n: int = typer.Option(
        12, "--last-n", help="Most recent posts per creator for engagement."
    ),
) -> None:
    """Tier, engagement rate, fake probability, authenticity, niche and cost for every creator.

    fake_probability is the chance of a fake (bought-follower) account, not of spam or scams;
    it is left empty where the following count is missing. Input columns micromix does not
    read (a label, a rank) are kept.
    """

    def body() -> None:
        from micromix.influencers.engagement import EngagementSpec
        from micromix.influencers.scoring import score_creators

        spec = EngagementSpec(last_n=last_n)
        prof = _read_profiles(input)
        # read as 'ingest posts' reads them: a platform dump's nested author (TikTok's
        # authorMeta.name) is found by its layout, not missed by the column aliases
        pst = _read_posts(posts, None, None) if posts is not None else None
        with progress_bar(output is not None) as update:
            res = score_creators(
                prof,
                pst,
                scheme=tiers,
                engagement=spec,
                progress=update,
                source=str(input),
                posts_source=str(posts),
            )
        _print_creator_notes(res)
        write_csv(res, output)

    run_command(body)


#: the brief's words of the discovery notes (:data:`micromix.influencers.discovery.BRIEF_HINTS`,
#: by field) as this command's options
_BRIEF_OPTIONS: dict[str, str] = {
    "budget": "raise --budget",
    "posts": "pass their posts with --posts",
    "niche": "change --niche",
    "any_niche": "run without --niche to rank them all",
    "min_authenticity": "lower --min-authenticity",
    "unknown_authenticity": "pass --keep-unknown-authenticity",
    "platform": "drop --platform",
    "country": "drop --country",
}


def _with_options(note: str) -> str:
    """A discovery note with this command's options where it names the brief's fields."""
    from micromix.influencers.discovery import BRIEF_HINTS

    for field_, words in BRIEF_HINTS.items():
        note = note.replace(words, _BRIEF_OPTIONS.get(field_, words))
    return note


def _total_words(total: dict[str, Any]) -> str:
    """The picks' total expected engagements with its interval
    (:func:`micromix.influencers.discovery.pick_total`), in one line."""
    n, stated = int(total["creators"]), int(total["stated"])
    words = (
        f"total expected engagements of the {n} pick{'s' if n != 1 else ''}: "
        f"{total['expected_engagements']:,.0f}"
    )
    if stated < n:
        words += (
            f" ({total['level']:.0%} interval {total['lo']:,.0f}-{total['hi']:,.0f}, from "
            "draws of each pick's rate)"
        )
    if stated:
        words += (
            f"; {stated} of them rest{'s' if stated == 1 else ''} on a stated rate with no "
            "posts, taken as exact (pass their posts with --posts for an interval)"
        )
    return words


#: the cohort table's columns said below it, one line a cohort, rather than printed
_COHORT_SAID = (
    "expected_engagements_lo",
    "expected_engagements_hi",
    "stated_rates",
    "cost_per_engagement_lo",
    "cost_per_engagement_hi",
)


def _cohort_words(row: dict[str, Any]) -> str:
    """A row of :func:`micromix.influencers.discovery.compare_cohorts`: its total expected
    engagements and cost per engagement with their 90% intervals, in one line."""
    total = {
        "expected_engagements": row["expected_engagements"],
        "lo": row["expected_engagements_lo"],
        "hi": row["expected_engagements_hi"],
        "level": 0.9,
        "creators": row["creators"],
        "stated": row["stated_rates"],
    }
    words = f"{row['cohort']}: {_total_words(total)}"
    cpe = row["cost_per_engagement"]
    if cpe == cpe:  # not NaN: the cohort hires someone with an engagement expected
        words += f"; cost per engagement US${cpe:,.3f}"
        lo, hi = row["cost_per_engagement_lo"], row["cost_per_engagement_hi"]
        if row["stated_rates"] < row["creators"] and lo == lo and hi == hi:
            words += f" (90% interval {lo:,.3f}-{hi:,.3f})"
    return words


def _print_cohorts(cohorts: Any) -> None:
    """The micro vs macro table, then each cohort's totals with their intervals."""
    emit_frame(
        cohorts.drop(columns=[c for c in _COHORT_SAID if c in cohorts.columns]),
        title="Micro vs macro for the same budget",
    )
    for row in cohorts.to_dict(orient="records"):
        if row["creators"]:
            err_console.print(_cohort_words(row), highlight=False, soft_wrap=True)
    if cohorts.attrs.get("note"):
        err_console.print(cohorts.attrs["note"], highlight=False, soft_wrap=True)


@creators_app.command("discover")
def discover_cmd(
    input: Path = typer.Option(..., "--input", "-i", help="Profiles: CSV, TSV, JSON or JSONL."),
    niche: str | None = typer.Option(
        None,
        "--niche",
        help="Niche of the brief, e.g. pet, beauty, fitness (default: every niche).",
    ),
    budget: float = typer.Option(..., "--budget", help="Total budget (one post per creator)."),
    posts: Path | None = typer.Option(None, "--posts", help="Posts by these creators (optional)."),
    platform: str | None = typer.Option(None, "--platform", help="Keep creators on this platform."),
    country: str | None = typer.Option(None, "--country", help="Keep creators in this country."),
    min_authenticity: float = typer.Option(0.5, "--min-authenticity", help="0..1 (default 0.5)."),
    keep_unknown_authenticity: bool | None = typer.Option(
        None,
        "--keep-unknown-authenticity/--drop-unknown-authenticity",
        help="Keep / leave out creators whose authenticity is unknown (no following count); "
        "default: left out when the file scores some creators, kept when it scores none. "
        "Counted either way.",
        show_default=False,
    ),
    top: int = typer.Option(20, "--top", help="Maximum creators returned."),
    min_posts: int = typer.Option(
        3, "--min-posts", help="Flag picks whose engagement rests on fewer posts (REVIEW)."
    ),
    compare: bool = typer.Option(False, "--compare", help="Also compare micro vs macro cohorts."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Rank creators for a brief and pick a set that fits the budget, with reasons."""

    def body() -> None:
        from micromix.influencers.discovery import Brief, compare_cohorts, discover
        from micromix.influencers.scoring import score_creators

        brief = Brief(
            niche=niche,
            budget=budget,
            platform=platform,
            country=country,
            min_authenticity=min_authenticity,
            top=top,
            min_posts=min_posts,
            keep_unknown_authenticity=keep_unknown_authenticity,
        )
        scored = score_creators(
            _read_profiles(input),
            _read_posts(posts, None, None) if posts is not None else None,  # as `score` does
            source=str(input),
            posts_source=str(posts),
        )
        try:
            picked = discover(scored, brief)
        except DataValidationError as exc:  # creators without niches: the fix as options
            raise DataValidationError(_with_options(str(exc))) from None
        cohorts = compare_cohorts(scored, brief) if compare else None
        notes = _print_creator_notes(scored)
        unknown = _with_options(picked.attrs.get("unknown_authenticity", ""))
        if as_json:
            obj: dict[str, Any] = {
                "brief": brief.to_dict(),
                "selected": picked.to_dict(orient="records"),
                "total_cost": float(picked["est_cost_per_post"].sum()) if len(picked) else 0.0,
                "total_expected_engagements": picked.attrs.get("total"),
                "unknown_authenticity": unknown or None,
                "engagement_prior": scored.attrs.get("engagement_prior"),
                "notes": notes,
            }
            if cohorts is not None:
                obj["cohorts"] = cohorts.to_dict(orient="records")
            emit_json(obj)
            return
        if unknown:
            err_console.print(f"note: {unknown}", highlight=False, soft_wrap=True)
        if picked.empty:
            err_console.print(
                _with_options(picked.attrs.get("note", "no creator fits this brief")),
                highlight=False,
                soft_wrap=True,
            )
            if cohorts is not None:
                _print_cohorts(cohorts)
            return
        show = [
            c
            for c in (
                picked.columns[0],
                "tier",
                "followers",
                "n_posts_used",
                "engagement_rate",
                "engagement_rate_shrunk",
                "authenticity",
                "est_cost_per_post",
            )
            if c in picked.columns
        ]
        what = f"'{niche}'" if niche else "any niche"
        emit_frame(picked[show], title=f"Creators for {what} within {budget:,.0f}")
        _print_reasons(picked, picked.columns[0])
        err_console.print(_total_words(picked.attrs["total"]), highlight=False, soft_wrap=True)
        flagged = int(picked["review"].astype(bool).sum()) if "review" in picked.columns else 0
        if flagged:
            err_console.print(
                f"REVIEW: {flagged} of {len(picked)} picks rest on fewer than {min_posts} posts; "
                "their rates are shrunk towards their tier's, but check them before hiring",
                highlight=False,
                soft_wrap=True,
            )
        if cohorts is not None:
            _print_cohorts(cohorts)

    run_command(body)


@creators_app.command("validate")
def validate_cmd(
    influencers: Path = typer.Option(
        ..., "--influencers", help="kim2020_instagram_influencers.txt"
    ),
    posts: Path = typer.Option(..., "--posts", help="kim2020_instagram_posts_sample.csv"),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Size-engagement curve and sponsored-vs-organic gap on real creator data."""

    def body() -> None:
        from micromix.influencers.validation import size_engagement_table, sponsored_gap

        tab = size_engagement_table(influencers, posts)
        gap = sponsored_gap(influencers, posts)
        if as_json:
            emit_json(
                {
                    "size_engagement": tab.to_dict(orient="records"),
                    "sponsored_gap": gap.to_dict(orient="records"),
                }
            )
            return
        emit_frame(tab, title="Median engagement rate by tier")
        emit_frame(gap, title="Sponsored vs organic engagement")

    run_command(body)


@creators_app.command("auth-eval")
def auth_eval_cmd(
    data_dir: Path = typer.Option(
        ..., "--data-dir", help="Folder with the labelled Instagram sets."
    ),
    folds: int = typer.Option(5, "--folds", help="Cross-validation folds."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Cross-validated and cross-dataset ROC AUC of the fake-follower model, with its holdout
    accuracy beside a majority-class and a logistic-regression baseline."""

    def body() -> None:
        from micromix.influencers.authenticity import evaluate_authenticity

        if folds < 2:
            raise ConfigError(f"--folds {folds} must be >= 2")
        for f in ("instagram_fake_spammer_genuine_train.csv", "instagram_LIMFADD.csv"):
            if not (data_dir / f).exists():
                raise ConfigError(
                    f"{data_dir / f}: not found; pass the folder holding the labelled sets"
                )
        emit_frame(
            evaluate_authenticity(data_dir, folds=folds),
            as_json=as_json,
            title="Fake-follower model AUC",
        )

    run_command(body)


def register(app: typer.Typer) -> None:
    """Attach the ``social`` and ``creators`` groups to ``app``."""
    app.add_typer(social_app, name="social")
    app.add_typer(creators_app, name="creators")
