from __future__ import annotations

import numpy as np
import pytest

from micromix.errors import ConfigError
from micromix.measurement import transforms as T


@pytest.mark.parametrize("name", sorted(T.ADSTOCKS))
def test_adstock_weights_sum_to_one_and_round_trip(name):
    ad = T.get_adstock(name, l_max=6)
    start = {k: v[2] for k, v in ad.param_bounds.items()}
    w = ad.weights(**start)
    assert len(w) == 6
    assert w.sum() == pytest.approx(1.0)
    assert (w >= 0).all()
    assert T.adstock_from_dict(ad.to_dict()) == ad


def test_geometric_adstock_matches_hand_computation():
    ad = T.get_adstock("geometric", l_max=3)
    x = np.array([1.0, 0.0, 2.0, 0.0])
    w = np.array([1, 0.5, 0.25]) / 1.75
    expected = np.array([w[0], w[1], 2 * w[0] + w[2], 2 * w[1]])
    np.testing.assert_allclose(ad.apply(x, alpha=0.5), expected)
    # constant input keeps its level once the window is full
    assert ad.apply(np.full(10, 3.0), alpha=0.5)[-1] == pytest.approx(3.0)


def test_delayed_adstock_peaks_at_theta():
    w = T.get_adstock("delayed", l_max=8).weights(alpha=0.5, theta=3.0)
    assert int(np.argmax(w)) == 3


@pytest.mark.parametrize("name", sorted(T.SATURATIONS))
def test_saturation_zero_monotone_and_round_trip(name):
    sat = T.get_saturation(name)
    p = {k: v[2] for k, v in sat.param_bounds.items()}
    x = np.linspace(0, 3, 50)
    y = sat.apply(x, **p)
    assert y[0] == pytest.approx(0.0)
    assert (np.diff(y) > 0).all()
    assert (y < 1).all()
    assert T.saturation_from_dict(sat.to_dict()) == sat
    assert (sat.derivative(x[1:], **p) > 0).all()


def test_unknown_names_and_bad_l_max_raise_clear_errors():
    with pytest.raises(ConfigError, match="unknown adstock curve 'exponential'; use one of"):
        T.get_adstock("exponential")
    with pytest.raises(ConfigError, match="unknown saturation curve 'tanh'; use one of"):
        T.get_saturation("tanh")
    with pytest.raises(ConfigError, match="l_max"):
        T.GeometricAdstock(l_max=0)
