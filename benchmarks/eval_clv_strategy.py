"""How well ``clv by-strategy`` recovers the simulator's truth (accuracy, not speed).

Usage::

    python benchmarks/eval_clv_strategy.py                # seeds 1-3: auto-bg (default), BG/NBD
    python benchmarks/eval_clv_strategy.py --seeds 4,5,6 --models auto-bg,bgnbd,mbgnbd,pareto
    python benchmarks/eval_clv_strategy.py --seeds 1,2,3 --families     # families + their average
    python benchmarks/eval_clv_strategy.py --seeds 4,9 --diagnose 40    # why intervals miss
    python benchmarks/eval_clv_strategy.py --seeds 1,4 --conversion-values
    python benchmarks/eval_clv_strategy.py --seeds 1,2,3,4 --history 14,49,91,140
    python benchmarks/eval_clv_strategy.py --seeds 1,2,3 --pooled r,s     # one Pareto/NBD, shared shapes
    python benchmarks/eval_clv_strategy.py --seeds 1,2,3 --models average,pareto --interval mcmc
    python benchmarks/eval_clv_strategy.py --seeds 1,2,3 --families --interval mcmc --prior-sd 4 \
        --family-names mbgnbd,pareto

For each seed it simulates a marketing-heavy market (60,000 users, 42 campaign days + 182
observed days, baseline demand 0.0002 a day, every channel's effect x4: the markets of
``tests/clv/test_clv_returns.py``), runs :func:`micromix.clv.lifetime_returns` by strategy and
by targeting, and compares each group's predicted mean CLV over 52 weeks with the truth: the
mean of the simulator's ``expected_clv_52w`` over the same customers. It prints every group,
then per model the median and worst ratio predicted / true, the share of 90% intervals that
contain the truth, the rank correlation and the median time of one ``lifetime_returns`` call.
The intervals are predictive (parameter draws and each customer's latent state given their
history, :func:`micromix.clv.latent_total_draws`), like the truth. ``--interval mcmc`` draws
the purchase parameters from their posterior instead of the Laplace approximation; model
``average`` is the likelihood-weighted average of MBG/NBD and Pareto/NBD. Seeds 1-12 have been
used to diagnose and choose; seeds 40-45 and 70-75 were evaluated once afterwards
(docs/clv.md). ``--users`` sets the market size (default 60,000).

It also prints, on the default market (100,000 users, 56 + 182 days), how often each
acquisition basis (first purchase, first touch) names the strategy that truly acquired the
customer, and the incremental lifetime ROAS from the holdouts against the same estimate made
with the simulator's true CLVs.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import platform
import resource
import statistics
import time

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import logsumexp

from micromix.clv import (
    MIN_GROUP_REPEAT_BUYERS,
    GammaGammaModel,
    ModifiedBetaGeoModel,
    ParetoNBDModel,
    acquisition_groups,
    conversion_values,
    customer_value,
    discounted_purchases,
    get_model,
    incremental_lifetime,
    latent_total_draws,
    lifetime_returns,
    new_customer_values,
    summary_from_daily,
    transactions_from_store,
)
from micromix.clv._mle import fit_log_params, laplace_draws
from micromix.clv.models import _dedupe, rfm_arrays
from micromix.errors import MicromixError
from micromix.ingest.market import load_market
from micromix.simulate import SimConfig, simulate
from micromix.simulate.config import DEFAULT_CHANNELS
from micromix.store import Store


def _heavy(seed: int, users: int = 60_000, observe_days: int = 182) -> Store:
    channels = tuple(dataclasses.replace(c, beta=c.beta * 4) for c in DEFAULT_CHANNELS)
    cfg = SimConfig(
        users=users,
        days=42,
        seed=seed,
        observe_days=observe_days,
        base_purchase_rate=0.0002,
        channels=channels,
    )
    st = Store.open(":memory:")
    load_market(st, simulate(cfg))
    return st


def _market(seed: int, users: int) -> tuple[Store, pd.DataFrame, pd.DataFrame]:
    """A heavy market's store, its CLV truth by user and the RFM summary of its purchases."""
    st = _heavy(seed, users)
    truth = st.read("clv_truth").set_index("user_id")
    return st, truth, summary_from_daily(transactions_from_store(st))


def _labels(st: Store, summary: pd.DataFrame, by: str) -> pd.Series:
    """Every customer's acquisition group (``none`` when unlabelled)."""
    return acquisition_groups(st, by=by).reindex(summary.index).fillna("none")


def _splits(seeds: list[int], users: int):
    """``(seed, by, summary, labels, true mean CLV per group)`` for each seed's market, by
    strategy and by targeting."""
    for seed in seeds:
        st, truth, summary = _market(seed, users)
        for by in ("strategy", "targeting"):
            g = _labels(st, summary, by)
            true = truth.join(g.rename("grp")).groupby("grp")["expected_clv_52w"].mean()
            yield seed, by, summary, g, true
        st.close()


def recovery(
    seeds: list[int], models: list[str], users: int = 60_000, interval: str = "laplace"
) -> pd.DataFrame:
    rows = []
    for seed in seeds:
        st = _heavy(seed, users)
        truth = st.read("clv_truth").set_index("user_id")
        for by in ("strategy", "targeting"):
            groups = acquisition_groups(st, by=by)
            true = truth.join(groups.rename("grp")).groupby("grp")["expected_clv_52w"].mean()
            for model in models:
                t0 = time.perf_counter()
                tab = lifetime_returns(st, by=by, model=model, horizon=52, interval=interval)
                secs = time.perf_counter() - t0
                tab["true"] = tab["group"].map(true)
                ok = tab.dropna(subset=["clv_mean"])
                rho = stats.spearmanr(ok["clv_mean"], ok["true"]).statistic
                for _, r in ok.iterrows():
                    rows.append(
                        {
                            "seed": seed, "by": by, "model": f"{model} {interval}",
                            "chosen": r["model"],
                            "group": r["group"],
                            "customers": r["customers"], "pred": r["clv_mean"],
                            "low": r["clv_mean_low"], "high": r["clv_mean_high"],
                            "true": r["true"], "rho": rho, "secs": secs,
                        }
                    )  # fmt: skip
        st.close()
    df = pd.DataFrame(rows)
    df["ratio"] = df["pred"] / df["true"]
    df["covered"] = (df["low"] <= df["true"]) & (df["true"] <= df["high"])
    return df


def default_market() -> None:
    st = Store.open(":memory:")
    load_market(st, simulate(SimConfig(users=100_000, days=56, seed=1, observe_days=182)))
    truth = st.read("clv_truth").set_index("user_id")
    for basis in ("first-purchase", "first-touch"):
        g = acquisition_groups(st, by="strategy", basis=basis)
        j = truth.join(g.rename("label"))
        won = j[j["strategy"] != "direct"]
        print(
            f"default market, basis {basis}: label = true strategy for "
            f"{(j['label'] == j['strategy']).mean():.1%} of customers, for "
            f"{(won['label'] == won['strategy']).mean():.1%} of those a channel or user "
            "content won"
        )
    by = "targeting"
    t = lifetime_returns(st, by=by, horizon=52, n_draws=50)
    summary = summary_from_daily(transactions_from_store(st))
    plug = incremental_lifetime(st, summary, truth["expected_clv_52w"], by=by).set_index("group")
    est = t.set_index("group").loc[plug.index]
    print("incremental lifetime ROAS by targeting (predicted CLV vs true CLV plug-in):")
    print(
        pd.DataFrame(
            {
                "estimate": est["incremental_lifetime_roas"],
                "low": est["incremental_lifetime_roas_low"],
                "high": est["incremental_lifetime_roas_high"],
                "with_true_clv": plug["incremental_lifetime_roas"],
                "experiments": plug["experiments"],
            }
        ).round(2)
    )
    st.close()


def demo_timing(candidates: list[tuple[str, str]], repeats: int = 3) -> None:
    """One ``lifetime_returns`` call by strategy on the demo's market: the default (``auto-bg``
    with Laplace draws) against each ``(model, interval)`` candidate, in the same run; medians
    of ``repeats`` calls."""
    from micromix.plan.demo import demo_config

    st = Store.open(":memory:")
    load_market(st, simulate(demo_config()))
    secs: dict[str, float] = {}
    for model, interval in [("auto-bg", "laplace"), *candidates]:
        key = f"{model} {interval}"
        if key in secs:
            continue
        runs = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            lifetime_returns(st, by="strategy", model=model, interval=interval)
            runs.append(time.perf_counter() - t0)
        secs[key] = statistics.median(runs)
    st.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    base = secs["auto-bg laplace"]
    print(
        f"demo market (100,000 users, 56 days, seed 7), lifetime_returns by strategy, median of "
        f"{repeats}: "
        + "; ".join(f"{k} {v:.2f} s ({v / base:.2f}x)" for k, v in secs.items())
        + f"; peak RSS of the run {peak:.0f} MB; load average {os.getloadavg()[0]:.2f}"
    )


def _weighted_interval(draws: list[np.ndarray], weights: np.ndarray, level: float = 0.9):
    """Quantiles of a mixture of draw sets with the given set weights."""
    vals = np.concatenate(draws)
    w = np.concatenate([np.full(len(d), wk / len(d)) for d, wk in zip(draws, weights)])
    order = np.argsort(vals)
    cum = np.cumsum(w[order])
    q = (1 - level) / 2
    pick = [min(int(np.searchsorted(cum, v)), len(vals) - 1) for v in (q, 1 - q)]
    return vals[order][pick[0]], vals[order][pick[1]]


def families(
    seeds: list[int],
    users: int,
    *,
    interval: str = "laplace",
    prior_sd: float = 2.0,
    names: tuple[str, ...] = ("bgnbd", "mbgnbd", "pareto"),
) -> pd.DataFrame:
    """Per group: each purchase family alone and their likelihood-weighted average.

    BG/NBD, MBG/NBD and Pareto/NBD have four parameters each, so likelihood weights are also
    AIC and BIC weights: ``w_k`` proportional to ``exp(log-likelihood_k)``. The average's
    estimate is ``sum w_k CLV_k``; its interval the quantiles of the mixture of the families'
    predictive draws (model uncertainty the data cannot resolve carried into the interval).
    ``interval="mcmc"`` draws the purchase parameters from their posterior (prior standard
    deviation ``prior_sd`` on the log shapes) instead of the Laplace approximation; a family
    whose sampler fails its diagnostics has no interval (counted as a miss) and is left out of
    the average. ``post`` is the mean of the predictive draws.
    """
    rows = []
    for seed, by, summary, g, true in _splits(seeds, users):
        for grp in sorted(g.unique()):
            sub = summary[g.to_numpy() == grp]
            if (sub["frequency"] > 0).sum() < MIN_GROUP_REPEAT_BUYERS:
                continue
            n, tr = len(sub), float(true[grp])
            sm = GammaGammaModel(n_draws=200, random_state=1).fit(sub)
            fits = {}
            for name in names:
                t0 = time.perf_counter()
                try:
                    pm = get_model(name, n_draws=200, interval=interval, prior_sd=prior_sd).fit(sub)
                except MicromixError:
                    continue
                lat = latent_total_draws(pm, sm, sub, horizon=52, random_state=2)
                est = float(customer_value(pm, sm, sub, horizon=52)["clv"].mean())
                secs = time.perf_counter() - t0
                if lat is not None:
                    fits[name] = (pm.log_likelihood_, est, lat / n, secs)
                else:  # refused interval: a miss, not left out
                    rows.append(
                        {
                            "seed": seed, "by": by, "group": grp, "model": name,
                            "log_likelihood": pm.log_likelihood_, "pred": est,
                            "post": np.nan, "low": np.nan, "high": np.nan, "true": tr,
                            "weight_pareto": np.nan, "secs": secs,
                        }
                    )  # fmt: skip
            if not fits:
                continue
            ll = np.array([f[0] for f in fits.values()])
            w = np.exp(ll - ll.max())
            w /= w.sum()
            mix_mean = float(sum(wk * f[2].mean() for wk, f in zip(w, fits.values())))
            fits["average"] = (
                np.nan,
                float(sum(wk * f[1] for wk, f in zip(w, fits.values()))),
                _weighted_interval([f[2] for f in fits.values()], w),
                np.nan,
            )
            for name, (ll_k, est, d, secs) in fits.items():
                if name == "average":
                    (lo, hi), post = d, mix_mean
                else:
                    (lo, hi), post = np.quantile(d, [0.05, 0.95]), float(d.mean())
                rows.append(
                    {
                        "seed": seed, "by": by, "group": grp, "model": name,
                        "log_likelihood": ll_k, "pred": est, "post": post, "low": lo,
                        "high": hi, "true": tr,
                        "weight_pareto": dict(zip(fits, w)).get("pareto", 0.0),
                        "secs": secs,
                    }
                )  # fmt: skip
    df = pd.DataFrame(rows)
    df["ratio"] = df["pred"] / df["true"]
    df["covered"] = (df["low"] <= df["true"]) & (df["true"] <= df["high"])
    print(df.round(3).to_string(index=False))
    print(
        f"purchase parameters: {interval}"
        + (f", prior sd {prior_sd:g}" if interval == "mcmc" else "")
    )
    for name, d in df.groupby("model", sort=False):
        post = d["post"] / d["true"]
        print(
            f"{name}: ratio predicted/true median {d['ratio'].median():.3f}; median |error| "
            f"{(d['ratio'] - 1).abs().median():.1%} (predictive mean: median ratio "
            f"{post.median():.3f}, |error| {(post - 1).abs().median():.1%}); 90% intervals "
            f"containing the truth {int(d['covered'].sum())} of {len(d)} "
            f"({d['covered'].mean():.0%}; seeds 1-6 {int(d[d['seed'] <= 6]['covered'].sum())}, "
            f"others {int(d[d['seed'] > 6]['covered'].sum())}); no interval "
            f"{int(d['low'].isna().sum())}; median half-width "
            f"{((d['high'] - d['low']) / 2 / d['pred']).median():.1%}; median fit+draws time "
            f"{d['secs'].median():.2f} s"
        )
    return df


def _mixture_gain(sub: pd.DataFrame) -> tuple[float, float]:
    """Log-likelihood of a 2-class MBG/NBD mixture (own r, alpha, a, b per class, one mixing
    weight) minus that of one MBG/NBD, by maximum likelihood; and BIC's penalty of the 5 extra
    parameters."""
    x, tx, T = rfm_arrays(sub)
    xu, txu, Tu, w = _dedupe(x, tx, T, None)
    one = ModifiedBetaGeoModel(interval="none").fit(sub)
    ll_class = ModifiedBetaGeoModel._loglik

    def nll(th: np.ndarray) -> float:
        lw = np.array([0.0, th[8]])
        lw -= logsumexp(lw)
        ll = np.logaddexp(
            lw[0] + ll_class(np.exp(th[:4]), xu, txu, Tu),
            lw[1] + ll_class(np.exp(th[4:8]), xu, txu, Tu),
        )
        return -float(np.dot(w, ll))

    best = np.inf
    for shift in ([0.5, 0.0, 0.5, -0.5], [-0.5, 0.5, -0.5, 0.5], [0.0, 1.0, 0.0, 0.0]):
        sh = np.array(shift)
        start = np.concatenate([one.log_params_ + sh, one.log_params_ - sh, [0.0]])
        best = min(best, fit_log_params(nll, [start], scale=float(w.sum())).nll)
    return -best - one.log_likelihood_, 2.5 * float(np.log(w.sum()))


def diagnose(seeds: list[int], users: int, reps: int) -> None:
    """Why intervals miss: per true profile, pure cohorts, latent-class mixtures."""
    from micromix.simulate.config import DEFAULT_REPEAT_PROFILES

    for seed in seeds:
        st, truth, summary = _market(seed, users)
        for by in ("strategy", "targeting"):
            g = _labels(st, summary, by)
            j = truth.join(g.rename("grp")).join(summary[["frequency"]])
            t = lifetime_returns(st, by=by, horizon=52).set_index("group")
            cols = ["customers", "model", "clv_mean", "clv_mean_low", "clv_mean_high"]
            cols += ["expected_purchases_mean", "probability_alive_mean"]
            t = t[cols].join(
                j.groupby("grp").agg(
                    true=("expected_clv_52w", "mean"),
                    true_purchases=("expected_purchases_52w", "mean"),
                    true_alive=("alive_at_end", "mean"),
                )
            )
            print(f"seed {seed} by {by}: the default against the truth (purchases over 52 weeks)")
            print(t.round(3).to_string())
            rep = j[j["frequency"] > 0]
            for name, d in (("all customers", j), ("repeat buyers", rep)):
                print(f"profile mix of {name}")
                print(pd.crosstab(d["grp"], d["profile"], normalize="index").round(2).to_string())
        rows = []
        for prof in sorted(truth["profile"].unique()):
            sub = summary.loc[truth.index[truth["profile"] == prof]]
            if (sub["frequency"] > 0).sum() < 100:
                continue
            P = DEFAULT_REPEAT_PROFILES[prof]
            gg_true = GammaGammaModel.from_params({"p": P.p, "q": P.q, "gamma": P.gamma})
            pm_true = ParetoNBDModel.from_params(
                {"r": P.r, "alpha": P.alpha, "s": P.s, "beta": P.beta}
            )
            row = {
                "seed": seed, "profile": prof, "customers": len(sub),
                "true": truth.loc[sub.index, "expected_clv_52w"].mean(),
                "pareto_true_params": customer_value(pm_true, gg_true, sub, horizon=52)[
                    "clv"].mean(),
            }  # fmt: skip
            sm = gg_true  # spend at its true parameters: the purchase models are compared
            for name in ("mbgnbd", "pareto"):
                pm = get_model(name, interval="none").fit(sub)
                row[name] = customer_value(pm, sm, sub, horizon=52)["clv"].mean()
                if name == "pareto":
                    row["ll_gain_over_true"] = (
                        pm.log_likelihood_ - pm_true.log_likelihood(sub).sum()
                    )
                    row["fitted_s"], row["fitted_beta"] = pm.params_["s"], pm.params_["beta"]
            rows.append(row)
        print(f"seed {seed}: pure profile groups (true s=2; beta = mean lifetime in weeks)")
        print(pd.DataFrame(rows).round(2).to_string(index=False))
        mix = []
        for by in ("strategy", "targeting"):
            g = _labels(st, summary, by)
            for grp in sorted(g.unique()):
                sub = summary[g.to_numpy() == grp]
                if (sub["frequency"] > 0).sum() >= MIN_GROUP_REPEAT_BUYERS:
                    gain, pen = _mixture_gain(sub)
                    mix.append({"seed": seed, "by": by, "group": grp, "customers": len(sub),
                                "ll_gain_2_classes": gain, "bic_penalty": pen})  # fmt: skip
        print("2-class MBG/NBD mixtures: log-likelihood gain against BIC's penalty")
        print(pd.DataFrame(mix).round(2).to_string(index=False))
        st.close()
    if reps:
        # cohorts of 600 customers aged 26-32 weeks drawn from the ugc_amplified profile
        # (Pareto/NBD, r 1.2, mean rate 0.11/week, s 2, mean lifetime 78 weeks): the group's
        # discounted 52-week purchases from the fit over those from the true parameters
        true = ParetoNBDModel.from_params({"r": 1.2, "alpha": 1.2 / 0.11, "s": 2.0, "beta": 78.0})
        rng = np.random.default_rng(0)
        out = []
        for rep in range(reps):
            d = true.sample(rng.uniform(26, 32, 600), random_state=rep)
            base = discounted_purchases(true, d, horizon=52).mean()
            row = {}
            for name in ("mbgnbd", "pareto"):
                try:
                    pm = get_model(name, interval="none").fit(d)
                except MicromixError:
                    row[name] = np.nan
                    continue
                row[name] = discounted_purchases(pm, d, horizon=52).mean() / base
            out.append(row)
        r = pd.DataFrame(out)
        print(f"{reps} pure Pareto/NBD cohorts: fitted / true discounted purchases")
        print(r.describe().round(3).to_string())
        print("share above 1:", (r > 1).mean().round(2).to_dict())


def conversion_check(seeds: list[int], users: int) -> None:
    """``audience target --value-per-conversion clv``'s per-region values against the truth.

    The truth of a region: the mean, over its customers, of their profile's ex-ante value of a
    newly acquired customer (``clv_profiles.expected_clv_52w``), i.e. what a new customer with
    the region's mix of acquisition profiles is worth over 52 weeks.
    """
    for seed in seeds:
        st = _heavy(seed, users)
        truth = st.read("clv_truth").set_index("user_id")
        ante = st.read("clv_profiles").set_index("profile")["expected_clv_52w"]
        people = st.read("audience")[["user_id", "region"]]
        region = people.set_index("user_id")["region"]
        joined = truth.join(region)
        want = joined["profile"].map(ante).groupby(joined["region"]).mean()
        cols = {}
        for model in ("bgnbd", "auto-bg"):
            _, table = conversion_values(st, people, segment_col="region", model=model)
            fitted = table[table["basis"] == "segment"]
            cols[model] = fitted["future_value"] / want.reindex(fitted.index)
            rho = stats.spearmanr(fitted["future_value"], want.reindex(fitted.index)).statistic
            print(
                f"seed {seed}, {model}: {len(fitted)} regions with their own models; future "
                f"value / truth median {cols[model].median():.3f}, range "
                f"{cols[model].min():.2f}-{cols[model].max():.2f}; rank correlation {rho:.2f}"
            )
        print(pd.DataFrame(cols).round(3).to_string())
        # the same value per true acquisition profile (profiles differ; regions barely do)
        summary = summary_from_daily(transactions_from_store(st))
        per = {}
        for model in ("bgnbd", "auto-bg"):
            t = new_customer_values(summary, truth["profile"], model=model, horizon=52)
            t = t[(t["basis"] == "segment") & (t["repeat_buyers"] >= 150)]
            per[model] = t["future_value"] / ante.reindex(t.index)
        print(f"seed {seed}: new-customer value / truth per profile (>= 150 repeat buyers)")
        print(pd.DataFrame(per).round(3).to_string())
        st.close()


def _pooled_fit(subs: list[pd.DataFrame], share: list[int]) -> tuple[object, object]:
    """Pareto/NBD fitted to all groups at once: the parameters at indices ``share`` (of r,
    alpha, s, beta) common to every group, the others each group's own (Fader & Hardie's
    time-invariant covariates with one dummy per group). Returns the optimum and a function
    mapping log-parameters to every group's natural-scale parameters."""
    own = [i for i in range(4) if i not in share]
    data = [_dedupe(*rfm_arrays(sub), None) for sub in subs]
    th0 = np.log(ParetoNBDModel(interval="none").fit(pd.concat(subs))._p)

    def unpack(theta: np.ndarray) -> list[np.ndarray]:
        out = []
        for g in range(len(subs)):
            p = np.empty(4)
            p[share] = theta[: len(share)]
            p[own] = theta[len(share) + g * len(own) : len(share) + (g + 1) * len(own)]
            out.append(np.exp(p))
        return out

    def nll(theta: np.ndarray) -> float:
        return -sum(
            float(np.dot(w, ParetoNBDModel._loglik(p, xu, txu, Tu)))
            for p, (xu, txu, Tu, w) in zip(unpack(theta), data)
        )

    start = np.concatenate([th0[share]] + [th0[own]] * len(subs))
    n = float(sum(d[3].sum() for d in data))
    return fit_log_params(nll, [start], scale=n, max_iter=2000), unpack


def pooled(seeds: list[int], users: int, share: list[int]) -> pd.DataFrame:
    """Per group: a Pareto/NBD fitted jointly to every group of the split (some parameters
    shared, see :func:`_pooled_fit`), its Laplace draws and the same predictive intervals as
    the product's (:func:`micromix.clv.latent_total_draws`)."""
    rows = []
    for seed, by, summary, g, true in _splits(seeds, users):
        names = [
            k
            for k in sorted(g.unique())
            if (summary[g.to_numpy() == k]["frequency"] > 0).sum() >= MIN_GROUP_REPEAT_BUYERS
        ]
        subs = [summary[g.to_numpy() == k] for k in names]
        t0 = time.perf_counter()
        res, unpack = _pooled_fit(subs, share)
        cov = res.covariance
        draws = (
            laplace_draws(res.theta, cov, 200, np.random.default_rng(0))
            if cov is not None
            else None
        )
        for i, (k, sub) in enumerate(zip(names, subs)):
            pm = ParetoNBDModel.from_params(
                dict(zip(ParetoNBDModel.param_names, unpack(res.theta)[i]))
            )
            if draws is not None:
                pm.draws_ = np.array([unpack(np.log(d))[i] for d in draws])
            sm = GammaGammaModel(n_draws=200, random_state=1).fit(sub)
            est = float(customer_value(pm, sm, sub, horizon=52)["clv"].mean())
            lat = latent_total_draws(pm, sm, sub, horizon=52, random_state=2)
            lo, hi = np.quantile(lat, [0.05, 0.95]) / len(sub) if lat is not None else (np.nan,) * 2
            rows.append(
                {
                    "seed": seed, "by": by, "group": k, "customers": len(sub), "pred": est,
                    "low": lo, "high": hi, "true": float(true[k]),
                    "converged": res.converged, "secs": time.perf_counter() - t0,
                }
            )  # fmt: skip
    df = pd.DataFrame(rows)
    df["ratio"] = df["pred"] / df["true"]
    df["covered"] = (df["low"] <= df["true"]) & (df["true"] <= df["high"])
    exact = sum(
        list(d.sort_values("pred")["group"]) == list(d.sort_values("true")["group"])
        for _, d in df.groupby(["seed", "by"])
    )
    print(df.round(3).to_string(index=False))
    print(
        f"pooled Pareto/NBD, shared {','.join(ParetoNBDModel.param_names[i] for i in share)}: "
        f"90% intervals containing the truth {int(df['covered'].sum())} of {len(df)} "
        f"({df['covered'].mean():.0%}); misses over {int((df['true'] < df['low']).sum())} / under "
        f"{int((df['true'] > df['high']).sum())}; median half-width "
        f"{((df['high'] - df['low']) / 2 / df['pred']).median():.1%}; predicted / true median "
        f"{df['ratio'].median():.3f}; median |error| {(df['ratio'] - 1).abs().median():.1%}; "
        f"exact rankings {exact} of {df.groupby(['seed', 'by']).ngroups}"
    )
    return df


def history_check(seeds: list[int], users: int, observe: list[int]) -> None:
    """How accuracy and coverage depend on the history and the horizon: heavy markets with
    ``observe`` days after the 42 campaign days, each forecast over 1, 2 and 3 times its
    history and over 52 weeks (the horizon guard is lifted to measure beyond it). The truth
    at any horizon is the simulator's ``expected_clv_*`` formula: alive customers' mean spend
    x purchase rate over (dropout + discount rate), integrated over the horizon."""
    import micromix.clv.pipeline as pipeline

    delta = math.log1p(0.10) / 52
    rows = []
    for seed in seeds:
        for obs in observe:
            st = _heavy(seed, users, obs)
            truth = st.read("clv_truth").set_index("user_id")
            span = (42 + obs) / 7
            for h in sorted({round(span), round(2 * span), round(3 * span), 52}):
                rate = truth["dropout_rate"] + delta
                true_h = pd.Series(
                    np.where(
                        truth["alive_at_end"],
                        truth["mean_spend"] * truth["purchase_rate"] / rate * -np.expm1(-rate * h),
                        0.0,
                    ),
                    index=truth.index,
                )
                for by in ("strategy", "targeting"):
                    groups = acquisition_groups(st, by=by)
                    true = true_h.groupby(groups.reindex(true_h.index).fillna("none")).mean()
                    saved, pipeline.MAX_HORIZON_RATIO = pipeline.MAX_HORIZON_RATIO, np.inf
                    try:
                        t = lifetime_returns(st, by=by, horizon=h, n_draws=100)
                    finally:
                        pipeline.MAX_HORIZON_RATIO = saved
                    for r in t.dropna(subset=["clv_mean_low"]).itertuples():
                        rows.append(
                            {
                                "seed": seed, "history_weeks": round(span, 1), "horizon": h,
                                "pred": r.clv_mean, "low": r.clv_mean_low,
                                "high": r.clv_mean_high, "true": true[r.group],
                            }
                        )  # fmt: skip
            st.close()
    df = pd.DataFrame(rows)
    df["covered"] = (df["low"] <= df["true"]) & (df["true"] <= df["high"])
    df["log_ratio"] = np.log(df["pred"] / df["true"])
    out = df.groupby(["history_weeks", "horizon"]).agg(
        groups=("covered", "size"),
        covered=("covered", "mean"),
        predicted_over_true=("log_ratio", lambda v: float(np.exp(v.mean()))),
        median_abs_error=("log_ratio", lambda v: float(np.expm1(np.median(np.abs(v))))),
    )
    out["horizon_over_history"] = (
        out.index.get_level_values(1) / out.index.get_level_values(0)
    ).round(2)
    print(out.round(2).to_string())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--models", default="auto-bg,bgnbd,pareto")
    ap.add_argument("--skip-default", action="store_true", help="Skip the default-market part.")
    ap.add_argument("--timing", action="store_true", help="Also time a call on the demo market.")
    ap.add_argument("--users", type=int, default=60_000, help="Users per simulated market.")
    ap.add_argument(
        "--interval",
        default="laplace",
        choices=("laplace", "mcmc"),
        help="Parameter uncertainty of the purchase models: Laplace or posterior sampling.",
    )
    ap.add_argument(
        "--prior-sd", type=float, default=2.0, help="With --interval mcmc and --families."
    )
    ap.add_argument(
        "--family-names",
        default="bgnbd,mbgnbd,pareto",
        help="With --families: the families fitted and averaged.",
    )
    ap.add_argument(
        "--families",
        action="store_true",
        help="Instead: per group, BG/NBD, MBG/NBD, Pareto/NBD and their likelihood-weighted "
        "average (Bayesian model averaging), each with predictive intervals.",
    )
    ap.add_argument(
        "--diagnose",
        type=int,
        default=None,
        metavar="REPS",
        help="Instead: the diagnosis of the misses (per true profile with the true parameters; "
        "REPS simulated pure Pareto/NBD cohorts; 2-class MBG/NBD mixtures against BIC).",
    )
    ap.add_argument(
        "--history",
        default=None,
        metavar="DAYS",
        help="Instead: accuracy and coverage against history and horizon, for markets with "
        "these observed days after the campaign (e.g. 14,49,91,140).",
    )
    ap.add_argument(
        "--conversion-values",
        action="store_true",
        help="Instead: per-region conversion values (audience target --value-per-conversion "
        "clv) of BG/NBD and the default against the truth.",
    )
    ap.add_argument(
        "--pooled",
        default=None,
        metavar="PARAMS",
        help="Instead: one Pareto/NBD fitted to all groups of a split with these parameters "
        "shared (e.g. r,s; the others per group) and predictive intervals.",
    )
    args = ap.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]  # --seeds "": timing only
    if args.history:
        history_check(seeds, args.users, [int(d) for d in args.history.split(",")])
        print(f"load average at the end {os.getloadavg()[0]:.2f}")
        return
    if args.pooled:
        names = list(ParetoNBDModel.param_names)
        pooled(seeds, args.users, [names.index(k) for k in args.pooled.split(",")])
        print(f"load average at the end {os.getloadavg()[0]:.2f}")
        return
    if args.conversion_values:
        conversion_check(seeds, args.users)
        print(f"load average at the end {os.getloadavg()[0]:.2f}")
        return
    if args.families or args.diagnose is not None:
        if args.families:
            families(
                seeds,
                args.users,
                interval=args.interval,
                prior_sd=args.prior_sd,
                names=tuple(args.family_names.split(",")),
            )
        if args.diagnose is not None:
            diagnose(seeds, args.users, args.diagnose)
        print(f"load average at the end {os.getloadavg()[0]:.2f}")
        return
    df = (
        recovery(seeds, args.models.split(","), args.users, args.interval)
        if seeds
        else pd.DataFrame()
    )
    if seeds:
        print(df.round(2).to_string(index=False))
    for model, d in df.groupby("model") if seeds else ():
        print(
            f"{model}: ratio predicted/true median {d['ratio'].median():.2f}, worst "
            f"{d['ratio'].iloc[int(np.argmax(abs(d['ratio'] - 1)))]:.2f}; median |error| "
            f"{(d['ratio'] - 1).abs().median():.1%}; 90% intervals containing the truth "
            f"{d['covered'].mean():.0%} of {len(d)}; rank correlation mean {d['rho'].mean():.2f}"
            f"; median time {statistics.median(d.drop_duplicates(['seed', 'by'])['secs']):.1f} s"
        )
    if not args.skip_default:
        default_market()
    if args.timing:
        demo_timing([(m, args.interval) for m in args.models.split(",")])
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
