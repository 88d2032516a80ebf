"""micromix.estimator.Estimator keeps scikit-learn's estimator protocol (get_params,
set_params, clone, repr, tags) without importing scikit-learn, so the report and the plan load
none of it."""

from __future__ import annotations

import ast
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone, is_classifier, is_regressor
from sklearn.utils import get_tags

from micromix.audience.learners import UpliftLearner, get_learner
from micromix.audience.segments import ClusterSegmenter
from micromix.clv.models import BetaGeoModel
from micromix.errors import ConfigError
from micromix.estimator import Estimator
from micromix.measurement.mmm import MarketingMixModel
from micromix.measurement.spec import MMMSpec
from micromix.moments.intent import IntentClassifier

#: modules that subclassed sklearn's BaseEstimator at their top, and what imports them
LIGHT_IMPORTS = (
    "micromix.reports",
    "micromix.plan",
    "micromix.moments",
    "micromix.moments.intent",
    "micromix.audience.learners",
    "micromix.audience.segments",
    "micromix.clv",
    "micromix.measurement.mmm",
)


def _loaded_sklearn(module: str) -> list[str]:
    code = f"import sys, {module}\nprint(sorted(m for m in sys.modules if m.startswith('sklearn')))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return ast.literal_eval(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", LIGHT_IMPORTS)
def test_importing_loads_no_sklearn(module):
    assert _loaded_sklearn(module) == []


# -- the same small estimators written both ways, to compare with scikit-learn's own -----------
class _Inner(Estimator):
    def __init__(self, a: int = 1, b: str = "x") -> None:
        self.a = a
        self.b = b


class _Outer(Estimator):
    def __init__(self, *, inner: Any = None, alpha: float = 1.0, tags: tuple = ()) -> None:
        self.inner = inner
        self.alpha = alpha
        self.tags = tags


class _SkInner(BaseEstimator):
    def __init__(self, a: int = 1, b: str = "x") -> None:
        self.a = a
        self.b = b


class _SkOuter(BaseEstimator):
    def __init__(self, *, inner: Any = None, alpha: float = 1.0, tags: tuple = ()) -> None:
        self.inner = inner
        self.alpha = alpha
        self.tags = tags


def _plain(text: str) -> str:
    """A repr with the twin classes' names made equal."""
    return text.replace("_SkOuter", "_Outer").replace("_SkInner", "_Inner")


def _pair(**kw: Any) -> tuple[_Outer, _SkOuter]:
    inner = kw.pop("inner", None)
    return (
        _Outer(inner=None if inner is None else _Inner(**inner), **kw),
        _SkOuter(inner=None if inner is None else _SkInner(**inner), **kw),
    )


@pytest.mark.parametrize(
    "kw",
    [{}, {"alpha": 0.5}, {"inner": {"a": 2}}, {"inner": {}, "tags": ("t",), "alpha": float("nan")}],
)
def test_params_and_repr_match_scikit_learn(kw):
    ours, theirs = _pair(**kw)
    for deep in (True, False):
        mine = ours.get_params(deep=deep)
        ref = theirs.get_params(deep=deep)
        assert list(mine) == list(ref)
        assert {k: _plain(repr(v)) for k, v in mine.items()} == {
            k: _plain(repr(v)) for k, v in ref.items()
        }
    assert _plain(repr(ours)) == _plain(repr(theirs))


def test_set_params_reaches_nested_estimators_and_refuses_unknown_names():
    ours, theirs = _pair(inner={"a": 2})
    assert ours.set_params(alpha=3.0, inner__b="y") is ours
    theirs.set_params(alpha=3.0, inner__b="y")
    assert ours.get_params()["inner__b"] == "y" == theirs.get_params()["inner__b"]
    assert ours.alpha == 3.0 and ours.set_params() is ours
    with pytest.raises(ConfigError, match="_Outer has no parameter 'beta'; use one of alpha"):
        ours.set_params(beta=1)
    with pytest.raises(ValueError):  # ConfigError is a ValueError, as scikit-learn raises
        ours.set_params(inner__zzz=1)


def test_clone_copies_parameters_not_learned_state():
    ours = _Outer(inner=_Inner(a=5), tags=("t",))
    ours.coef_ = np.ones(3)
    twin = clone(ours)
    assert twin is not ours and not hasattr(twin, "coef_")
    assert twin.inner is not ours.inner and twin.inner.a == 5
    assert repr(twin) == repr(ours)


def test_tags_say_what_kind_of_estimator():
    class _Clf(_Inner):
        _estimator_kind = "classifier"

    class _Reg(_Inner):
        _estimator_kind = "regressor"

    assert is_classifier(_Clf()) and not is_classifier(_Inner())
    assert is_regressor(_Reg()) and get_tags(_Reg()).target_tags.required
    assert get_tags(_Inner()).estimator_type is None
    assert not get_tags(_Inner()).target_tags.required


def test_a_constructor_with_star_args_is_refused():
    class _Star(Estimator):
        def __init__(self, *values: int) -> None:
            self.values = values

    with pytest.raises(TypeError, match=r"takes \*values"):
        _Star(1).get_params()


# -- micromix's own estimators ------------------------------------------------------------------
@pytest.mark.parametrize(
    "model",
    [
        IntentClassifier(min_df=1, char_ngrams=False),
        get_learner("t", base="linear", n_estimators=30),
        ClusterSegmenter(method="gmm", n_segments=3),
        BetaGeoModel(interval="bootstrap", n_draws=50),
        MarketingMixModel(spec=MMMSpec(date_col="week", target="revenue", channels=("tv",))),
    ],
    ids=lambda m: type(m).__name__,
)
def test_micromix_estimators_keep_the_protocol(model):
    params = model.get_params()
    twin = clone(model)
    assert twin is not model and type(twin) is type(model)
    assert twin.get_params(deep=False) == model.get_params(deep=False)
    assert model.set_params(**params) is model and model.get_params() == params
    assert repr(model).startswith(f"{type(model).__name__}(")
    assert is_classifier(model) == isinstance(model, IntentClassifier)
    assert isinstance(model, Estimator) and not isinstance(model, BaseEstimator)


def test_reprs_name_the_changed_parameters():
    assert repr(IntentClassifier(min_df=1, char_ngrams=False)) == (
        "IntentClassifier(char_ngrams=False, min_df=1)"
    )
    assert repr(BetaGeoModel(level=0.8)) == "BetaGeoModel(level=0.8)"
    assert isinstance(get_learner("t"), UpliftLearner)
