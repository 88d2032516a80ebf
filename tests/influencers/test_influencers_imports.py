"""Scoring creators with the shipped fake-follower model loads no scikit-learn, nor do the
brief's words (:data:`~micromix.influencers.hints.BRIEF_HINTS`) the report imports."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from sklearn.base import clone

from micromix.errors import ConfigError
from micromix.influencers import discovery, hints
from micromix.influencers.authenticity import FakeFollowerModel, load_default_model


def _loaded(code: str, *modules: str) -> list[str]:
    probe = f"{code}\nimport sys\nprint(sorted(m for m in {modules!r} if m in sys.modules))\n"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    return out.stdout.strip().splitlines()[-1]


def test_scoring_creators_with_the_shipped_model_imports_no_sklearn():
    code = (
        "import pandas as pd\n"
        "from micromix.influencers import score_creators\n"
        "score_creators(pd.DataFrame({'username': ['a'], 'followers': [20000],"
        " 'following': [400], 'posts': [300]}))\n"
    )
    assert _loaded(code, "sklearn") == "[]"


def test_the_brief_words_load_without_sklearn():
    assert _loaded("from micromix.influencers.hints import BRIEF_HINTS", "sklearn") == "[]"
    assert discovery.BRIEF_HINTS is hints.BRIEF_HINTS  # still importable from its old home


def test_the_model_keeps_scikit_learn_parameters():
    m = FakeFollowerModel(max_depth=2, subsample=1.0)
    copy = clone(m)
    assert copy is not m and copy.get_params() == m.get_params()
    assert repr(m) == "FakeFollowerModel(max_depth=2, subsample=1.0)"
    assert m.set_params(n_estimators=5) is m and m.n_estimators == 5
    with pytest.raises(ConfigError, match="no parameter 'depth'"):
        m.set_params(depth=3)
    shipped = load_default_model()
    assert shipped.to_dict()["params"] == shipped.get_params()
    p = shipped.predict_proba(pd.DataFrame({"followers": [12, 25_000], "following": [4000, 600]}))
    assert p[0] > 0.5 > p[1]
