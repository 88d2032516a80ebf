"""Fake-account risk from profile features: ``fake_probability`` and ``authenticity``.

The shipped model is a small gradient-boosted tree ensemble (150 depth-3 trees) on features
every export has: followers, following, media count, whether there is a profile picture, a
bio and an external link.  It was trained by :func:`train_default_model` on the Kaggle
"Instagram fake spammer genuine accounts" set (696 real, hand-labelled accounts);
LIMFADD (15,000 accounts, Bot/Scam/Spam counted as fake) is used for cross-dataset
evaluation only, because it looks synthetic and adding it to training lowers the AUC on real
accounts (see :func:`train_default_model`).  Only the learned trees ship in
``_data/fake_follower_model.json``, not the data.

What it detects: **fake accounts of the kind bought as followers** (the Kaggle set's "fake"
label: empty, mass-following profiles).  It is not a spam, scam or bot-behaviour detector: on
LIMFADD, whose "Spam" accounts have ordinary follower counts and profiles, 99% of the accounts
labelled Spam score authentic.

Missing inputs (:func:`score_fake_followers`): without a follower or a following count the
model cannot tell accounts apart (a file of 200 top creators with no following column gets one
value, 0.009406, for 194 of them), so ``fake_probability`` is left empty there and a note names
the missing fields; missing profile-picture / bio / link flags are filled with the training
mean (a weaker score, said in a note).  When one value covers 90% or more of 20+ scored
accounts a note says the score does not tell them apart.

Quickstart
----------
>>> import pandas as pd
>>> from micromix.influencers.authenticity import load_default_model
>>> m = load_default_model()
>>> df = pd.DataFrame({"followers": [12, 25_000], "following": [4_000, 600], "posts": [0, 480],
...                    "has_profile_pic": [0, 1], "bio_length": [0, 80], "has_external_link": [0, 1]})
>>> p = m.predict_proba(df)
>>> bool(p[0] > 0.5 > p[1])
True
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from micromix.errors import ConfigError, DataValidationError, NotFittedError
from micromix.estimator import Estimator

__all__ = [
    "FEATURES",
    "REQUIRED_INPUTS",
    "WHAT_IT_DETECTS",
    "FakeFollowerModel",
    "evaluate_authenticity",
    "holdout_evaluation",
    "load_default_model",
    "load_labelled_sets",
    "profile_features",
    "score_fake_followers",
    "train_default_model",
]

#: engineered features, in model order
FEATURES: tuple[str, ...] = (
    "log_followers",
    "log_following",
    "log_posts",
    "log_following_per_follower",
    "log_posts_per_follower",
    "has_profile_pic",
    "has_bio",
    "has_external_link",
)
_MODEL_FILE = "fake_follower_model.json"
#: canonical inputs without which an account gets no fake probability
REQUIRED_INPUTS: tuple[str, ...] = ("followers", "following")
#: canonical flag inputs filled with the training mean when missing (their input spellings)
_FLAG_INPUTS: dict[str, tuple[str, ...]] = {
    "has_profile_pic": ("has_profile_pic",),
    "bio": ("bio_length", "has_bio"),
    "has_external_link": ("has_external_link",),
}
#: what the model's probability means, for notes and docs
WHAT_IT_DETECTS = (
    "the probability of a fake (bought-follower) account, learned from the Kaggle "
    "fake/genuine Instagram set"
)


def profile_features(profiles: pd.DataFrame) -> pd.DataFrame:
    """Engineer :data:`FEATURES` from canonical profile columns (NaN where an input is missing).

    Expects ``followers``, ``following``, ``posts``, ``has_profile_pic``, ``bio_length`` (or
    ``has_bio``) and ``has_external_link``; see
    :func:`micromix.influencers.columns.canonical_profiles`.
    """

    def col(name: str) -> pd.Series:
        if name in profiles.columns:
            return pd.to_numeric(profiles[name], errors="coerce").astype(float)
        return pd.Series(np.nan, index=profiles.index, dtype=float)

    f, g, p = np.log1p(col("followers")), np.log1p(col("following")), np.log1p(col("posts"))
    if "has_bio" in profiles.columns:
        bio = col("has_bio")
    else:
        bl = col("bio_length")
        bio = (bl > 0).astype(float).where(bl.notna())
    return pd.DataFrame(
        {
            "log_followers": f,
            "log_following": g,
            "log_posts": p,
            "log_following_per_follower": g - f,
            "log_posts_per_follower": p - f,
            "has_profile_pic": col("has_profile_pic"),
            "has_bio": bio,
            "has_external_link": col("has_external_link"),
        },
        index=profiles.index,
    )


class FakeFollowerModel(Estimator):
    """Gradient-boosted trees on profile features, exportable to plain JSON.

    Scoring is plain NumPy over the learned trees, so loading and using the shipped model
    imports no scikit-learn (only :meth:`fit` does); :class:`~micromix.estimator.Estimator`
    gives it scikit-learn's ``get_params`` / ``set_params``, so :func:`sklearn.base.clone` works.

    Parameters
    ----------
    n_estimators, max_depth, learning_rate, subsample : see
        :class:`sklearn.ensemble.GradientBoostingClassifier`.
    random_state : int
        Seed for subsampling.

    Attributes
    ----------
    trees_ : list of dict
        Per tree, arrays ``left, right, feature, threshold, value``.
    fill_values_ : dict
        Training means used for missing flags and counts.
    learning_rate_ : float
    """

    lookup_name = "gbt_profile"
    trees_: list[dict[str, list[Any]]]
    fill_values_: dict[str, float]
    learning_rate_: float
    meta_: dict[str, Any]

    def __init__(
        self,
        *,
        n_estimators: int = 150,
        max_depth: int = 3,
        learning_rate: float = 0.1,
        subsample: float = 0.8,
        random_state: int = 0,
    ) -> None:
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.learning_rate = learning_rate
        self.subsample = subsample
        self.random_state = random_state

    def fit(self, profiles: pd.DataFrame, y: Any, sample_weight: Any = None) -> FakeFollowerModel:
        """Fit on canonical profile columns and labels (1 = fake)."""
        from sklearn.ensemble import GradientBoostingClassifier

        X = profile_features(profiles)
        yv = np.asarray(y, dtype=int)
        if len(np.unique(yv)) != 2:
            raise DataValidationError("fake-follower labels must contain both classes 0 and 1")
        self.fill_values_ = {c: float(X[c].mean()) for c in FEATURES}
        Xf = X.fillna(self.fill_values_).to_numpy(dtype=float)
        gb = GradientBoostingClassifier(
            n_estimators=self.n_estimators,
            max_depth=self.max_depth,
            learning_rate=self.learning_rate,
            subsample=self.subsample,
            random_state=self.random_state,
            init="zero",
        ).fit(Xf, yv, sample_weight=sample_weight)
        self.trees_ = []
        for est in gb.estimators_[:, 0]:
            t = est.tree_
            self.trees_.append(
                {
                    "left": t.children_left.astype(int).tolist(),
                    "right": t.children_right.astype(int).tolist(),
                    "feature": t.feature.astype(int).tolist(),
                    "threshold": [round(float(v), 8) for v in t.threshold],
                    "value": [round(float(v), 8) for v in t.value[:, 0, 0]],
                }
            )
        self.learning_rate_ = float(self.learning_rate)
        self._compile()
        return self

    def _compile(self) -> None:
        self._arrays = [
            tuple(np.asarray(t[k]) for k in ("left", "right", "feature", "threshold", "value"))
            for t in self.trees_
        ]

    def decision_function(self, profiles: pd.DataFrame) -> np.ndarray:
        """Log-odds of being fake (NaN where followers are missing)."""
        if not hasattr(self, "trees_"):
            raise NotFittedError(
                "FakeFollowerModel is not fitted; call fit() or load_default_model()"
            )
        X = profile_features(profiles)
        known = X["log_followers"].notna().to_numpy()
        cols = [X[c].fillna(self.fill_values_[c]).to_numpy(dtype=float) for c in FEATURES]
        raw = np.zeros(len(X))
        for left, right, feat, thr, val in self._arrays:

            def node_value(i: int, left=left, right=right, feat=feat, thr=thr, val=val) -> Any:
                if left[i] < 0:
                    return val[i]
                return np.where(cols[feat[i]] <= thr[i], node_value(left[i]), node_value(right[i]))

            raw += node_value(0)
        raw *= self.learning_rate_
        return np.where(known, raw, np.nan)

    def predict_proba(self, profiles: pd.DataFrame) -> np.ndarray:
        """Probability that each account is fake (NaN where followers are missing)."""
        z = self.decision_function(profiles)
        return 1.0 / (1.0 + np.exp(-z))

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly state; :meth:`from_dict` restores it."""
        if not hasattr(self, "trees_"):
            raise NotFittedError("FakeFollowerModel is not fitted; nothing to export")
        return {
            "lookup_name": self.lookup_name,
            "features": list(FEATURES),
            "params": self.get_params(),
            "fill_values": self.fill_values_,
            "trees": self.trees_,
            "meta": getattr(self, "meta_", {}),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FakeFollowerModel:
        """Rebuild a fitted model from :meth:`to_dict` output."""
        if list(d.get("features", [])) != list(FEATURES):
            raise ConfigError("fake-follower model file was built for other features; retrain it")
        m = cls(**d["params"])
        m.fill_values_ = {k: float(v) for k, v in d["fill_values"].items()}
        m.trees_ = d["trees"]
        m.learning_rate_ = float(d["params"]["learning_rate"])
        m.meta_ = d.get("meta", {})
        m._compile()
        return m

    def save(self, path: str | Path) -> None:
        """Write the model as JSON."""
        Path(path).write_text(json.dumps(self.to_dict(), separators=(",", ":")))


@lru_cache(maxsize=1)
def load_default_model() -> FakeFollowerModel:
    """The shipped model (trained on the labelled Instagram sets; see the module docstring)."""
    text = resources.files("micromix.influencers").joinpath("_data", _MODEL_FILE).read_text()
    return FakeFollowerModel.from_dict(json.loads(text))


def score_fake_followers(
    profiles: pd.DataFrame, model: FakeFollowerModel | None = None, *, source: str = "profiles"
) -> tuple[np.ndarray, list[str]]:
    """Fake probability per canonical profile row, NaN where the model cannot tell.

    Rows missing a count of :data:`REQUIRED_INPUTS` get NaN (the trees would give them all
    about the same value).  Returns the probabilities and notes: which fields were missing
    for how many rows, flags filled with the training mean, and a score that takes one value
    for 90% or more of 20+ accounts.
    """
    m = model or load_default_model()
    n = len(profiles)
    fp = m.predict_proba(profiles)
    notes: list[str] = []

    def have(name: str) -> pd.Series:
        if name not in profiles.columns:
            return pd.Series(False, index=profiles.index)
        return pd.to_numeric(profiles[name], errors="coerce").notna()

    # a missing follower count already gives NaN (and its own note from the caller)
    known = have("followers").to_numpy()
    lacking = {f: known & ~have(f).to_numpy() for f in REQUIRED_INPUTS if f != "followers"}
    gone = np.logical_or.reduce(list(lacking.values()))
    if gone.any():
        fp = np.where(gone, np.nan, fp)
        what = [
            f"{f} ({'no column' if f not in profiles.columns else f'{int(v.sum()):,} rows empty'})"
            for f, v in lacking.items()
            if v.any()
        ]
        notes.append(
            f"{source}: fake_probability and authenticity are left empty for {int(gone.sum()):,} "
            f"of {n:,} creator{'s' if n != 1 else ''}: missing {', '.join(what)}; with a "
            "follower count alone the fake-follower model gives nearly the same value to every "
            "account, which would look like a measurement but is not; add a following column "
            "(following, #Followees, follows ...) to score them"
        )
    flags = [
        name
        for name, cols in _FLAG_INPUTS.items()
        if not any(c in profiles.columns and profiles[c].notna().any() for c in cols)
    ]
    scored = fp[np.isfinite(fp)]
    if flags and len(scored):
        notes.append(
            f"{source}: no {', '.join(flags)} in the profiles; fake_probability is computed "
            "from the counts alone with those flags at the training average (a weaker score)"
        )
    if len(scored) >= 20:
        vals, counts = np.unique(np.round(scored, 6), return_counts=True)
        top = int(counts.max())
        if top >= 0.9 * len(scored):
            notes.append(
                f"{source}: fake_probability is {float(vals[counts.argmax()]):.6f} for {top:,} "
                f"of {len(scored):,} scored creators: the model does not tell these accounts "
                "apart (their counts lie outside what it was trained on), so authenticity "
                "carries no information here"
            )
    return fp, notes


def _yes(s: pd.Series) -> pd.Series:
    return s.astype("string").str.strip().str.lower().str.startswith("y").astype(float)


def load_labelled_sets(data_dir: str | Path) -> dict[str, tuple[pd.DataFrame, np.ndarray]]:
    """Map the labelled sets in ``data_dir`` (``.../shared/data/influencers``) to canonical columns.

    Returns ``{"kaggle": (profiles, y), "limfadd": (profiles, y)}`` with ``y`` = 1 for fake.
    """
    d = Path(data_dir)
    a = pd.concat(
        [pd.read_csv(d / f"instagram_fake_spammer_genuine_{s}.csv") for s in ("train", "test")],
        ignore_index=True,
    )
    kaggle = pd.DataFrame(
        {
            "followers": a["#followers"],
            "following": a["#follows"],
            "posts": a["#posts"],
            "has_profile_pic": a["profile pic"].astype(float),
            "bio_length": a["description length"].astype(float),
            "has_external_link": a["external URL"].astype(float),
        }
    )
    lim = pd.read_csv(d / "instagram_LIMFADD.csv")
    limfadd = pd.DataFrame(
        {
            "followers": lim["Followers"],
            "following": lim["Following"],
            "posts": lim["Posts"],
            "has_profile_pic": _yes(lim["Profile Picture"]),
            "has_bio": _yes(lim["Bio"]),
            "has_external_link": _yes(lim["External Link"]),
        }
    )
    return {
        "kaggle": (kaggle, a["fake"].to_numpy(dtype=int)),
        "limfadd": (limfadd, (lim["Labels"] != "Real").to_numpy(dtype=int)),
    }


def _weights(n_small: int, n_large: int, small_weight: float) -> np.ndarray:
    return np.r_[np.full(n_small, small_weight * n_large / max(n_small, 1)), np.ones(n_large)]


def train_default_model(
    data_dir: str | Path, *, limfadd_weight: float = 0.0, out: str | Path | None = None
) -> FakeFollowerModel:
    """Train the shipped model.

    By default on the 696 real, hand-labelled Kaggle accounts only: LIMFADD looks synthetic
    (every label occupies its own uniform band, e.g. all "Real" accounts have 3-21,979
    followers and all "Spam" ones 9-163,000), and adding it lowers the cross-validated AUC on
    the real accounts (0.975 -> 0.955-0.959) and flags genuine 40K-follower creators as fake.
    Pass ``limfadd_weight > 0`` to include it with that total weight relative to the Kaggle
    set (1.0 = equal total weight).
    """
    sets = load_labelled_sets(data_dir)
    (ka, ya), (li, yl) = sets["kaggle"], sets["limfadd"]
    if limfadd_weight > 0:
        X = pd.concat([ka, li], ignore_index=True)
        w = _weights(len(ya), len(yl), 1.0 / limfadd_weight)
        m = FakeFollowerModel().fit(X, np.r_[ya, yl], sample_weight=w)
        src = f"Kaggle instagram_fake_spammer_genuine (696) + LIMFADD (15000, weight {limfadd_weight})"
    else:
        m = FakeFollowerModel().fit(ka, ya)
        src = "Kaggle instagram_fake_spammer_genuine train+test (696 accounts)"
    m.meta_ = {"trained_on": src, "note": "learned trees only; no training rows are shipped"}
    if out is not None:
        m.save(out)
    return m


def holdout_evaluation(data_dir: str | Path, *, seed: int = 0) -> pd.DataFrame:
    """The model and two trivial baselines, trained on the Kaggle train file and scored on its
    test file only (how a new real sample would be scored).

    Rows ``holdout`` (the model), ``baseline_majority`` (always the training set's majority
    class: AUC 0.5, accuracy its share of the test file) and ``baseline_logistic`` (a
    logistic regression on the model's own features, standardised); columns ``evaluation,
    test_set, train_set, auc, auc_sd, n_test, accuracy`` (accuracy at probability 0.5).  The
    model's lead over the logistic regression is what its trees add.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    ka, ya = load_labelled_sets(data_dir)["kaggle"]
    n_train = len(pd.read_csv(Path(data_dir) / "instagram_fake_spammer_genuine_train.csv"))
    y_tr, y_te = ya[:n_train], ya[n_train:]
    model = FakeFollowerModel(random_state=seed).fit(ka.iloc[:n_train], y_tr)
    X = profile_features(ka)
    X = X.fillna(X.iloc[:n_train].mean())
    logistic = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    logistic.fit(X.iloc[:n_train].to_numpy(dtype=float), y_tr)
    majority = float(np.bincount(y_tr, minlength=2).argmax())
    scores = {
        "holdout": model.predict_proba(ka.iloc[n_train:]),
        "baseline_majority": np.full(len(y_te), majority),
        "baseline_logistic": logistic.predict_proba(X.iloc[n_train:].to_numpy(dtype=float))[:, 1],
    }
    return pd.DataFrame(
        [
            {
                "evaluation": name,
                "test_set": "kaggle_test",
                "train_set": "kaggle_train",
                "auc": float(roc_auc_score(y_te, p)),
                "auc_sd": float("nan"),
                "n_test": len(y_te),
                "accuracy": float(accuracy_score(y_te, p >= 0.5)),
            }
            for name, p in scores.items()
        ]
    )


def evaluate_authenticity(
    data_dir: str | Path, *, folds: int = 5, seed: int = 0, small_weight: float = 3.0
) -> pd.DataFrame:
    """Cross-validated and cross-dataset ROC AUC of :class:`FakeFollowerModel`.

    Rows: ``holdout`` (the Kaggle set's own train file -> test file) with its trivial
    baselines ``baseline_majority`` and ``baseline_logistic`` (:func:`holdout_evaluation`;
    ``accuracy`` is given for these three rows only), ``cv`` within each set alone (for the Kaggle set this is how the shipped model is
    trained), ``cv_combined`` (held-out folds of one set, model trained on the rest plus all of
    the other set, the Kaggle set given ``small_weight`` times LIMFADD's total weight),
    ``cross`` (train on one set, test on the other).
    """
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    sets = load_labelled_sets(data_dir)
    rows = holdout_evaluation(data_dir, seed=seed).to_dict(orient="records")
    cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for name, (X, y) in sets.items():
        other = "limfadd" if name == "kaggle" else "kaggle"
        Xo, yo = sets[other]
        aucs, aucs_c = [], []
        for tr, te in cv.split(X, y):
            m = FakeFollowerModel(random_state=seed).fit(X.iloc[tr], y[tr])
            aucs.append(roc_auc_score(y[te], m.predict_proba(X.iloc[te])))
            w = (
                _weights(len(tr), len(yo), small_weight)
                if name == "kaggle"
                else _weights(len(yo), len(tr), small_weight)
            )
            Xc = pd.concat(
                [X.iloc[tr], Xo] if name == "kaggle" else [Xo, X.iloc[tr]], ignore_index=True
            )
            yc = np.r_[y[tr], yo] if name == "kaggle" else np.r_[yo, y[tr]]
            mc = FakeFollowerModel(random_state=seed).fit(Xc, yc, sample_weight=w)
            aucs_c.append(roc_auc_score(y[te], mc.predict_proba(X.iloc[te])))
        rows.append(
            {
                "evaluation": "cv",
                "test_set": name,
                "train_set": name,
                "auc": float(np.mean(aucs)),
                "auc_sd": float(np.std(aucs)),
                "n_test": len(y),
            }
        )
        rows.append(
            {
                "evaluation": "cv_combined",
                "test_set": name,
                "train_set": f"{name}+{other}",
                "auc": float(np.mean(aucs_c)),
                "auc_sd": float(np.std(aucs_c)),
                "n_test": len(y),
            }
        )
        m = FakeFollowerModel(random_state=seed).fit(Xo, yo)
        rows.append(
            {
                "evaluation": "cross",
                "test_set": name,
                "train_set": other,
                "auc": float(roc_auc_score(y, m.predict_proba(X))),
                "auc_sd": float("nan"),
                "n_test": len(y),
            }
        )
    return pd.DataFrame(rows)
