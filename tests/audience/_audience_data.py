"""Constants the audience tests share (a uniquely named module: ``from conftest import ...``
picks whichever test folder's conftest was imported first when several folders run together)."""

#: the features of :func:`micromix.audience.datasets.make_uplift_data`
FEATURES = ["x0", "x1", "x2", "x3", "region"]
