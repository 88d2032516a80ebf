"""scikit-learn's estimator conventions without importing scikit-learn.

micromix's models (the intent classifier, the uplift learners, the segmenter, the CLV models,
the marketing-mix model) follow scikit-learn's estimator protocol: hyperparameters are the
keyword arguments of ``__init__``, stored unchanged under the same names, and
:meth:`Estimator.get_params` / :meth:`Estimator.set_params` read and write them.
Subclassing ``sklearn.base.BaseEstimator`` gives that for free but loads scikit-learn (0.3 to
1.8 s measured) whenever the module is imported, so ``micromix report`` would pay for it
without fitting anything. :class:`Estimator` is the part of ``BaseEstimator`` micromix uses, in plain Python;
:func:`sklearn.base.clone`, :func:`sklearn.base.is_classifier` and
:func:`sklearn.utils.get_tags` work on it, and scikit-learn is imported only when scikit-learn
itself asks for the tags (so it is loaded already) or a model fits.

Quickstart
----------
>>> from micromix.estimator import Estimator
>>> class Smoother(Estimator):
...     def __init__(self, *, alpha=1.0, window=7):
...         self.alpha = alpha
...         self.window = window
>>> s = Smoother(window=14)
>>> s.get_params()
{'alpha': 1.0, 'window': 14}
>>> s.set_params(alpha=0.5)
Smoother(alpha=0.5, window=14)
"""

from __future__ import annotations

import inspect
import math
from typing import Any, ClassVar, Self

from micromix.errors import ConfigError

__all__ = ["Estimator"]


def _same(a: Any, b: Any) -> bool:
    """Whether a parameter value equals its default, as scikit-learn's repr decides it."""
    if repr(a) == repr(b):
        return True
    return isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)


class Estimator:
    """Mixin: ``get_params`` / ``set_params`` / ``repr`` from the ``__init__`` signature.

    ``_estimator_kind`` (``"classifier"``, ``"regressor"``, ``"clusterer"`` or ``None``) is
    what :func:`sklearn.base.is_classifier` and the other tag readers report.
    """

    _estimator_kind: ClassVar[str | None] = None

    @classmethod
    def _get_param_names(cls) -> list[str]:
        """The constructor's parameter names, sorted (as scikit-learn lists them)."""
        init = cls.__init__
        if init is object.__init__:
            return []
        names = []
        for p in inspect.signature(init).parameters.values():
            if p.name == "self" or p.kind is p.VAR_KEYWORD:
                continue
            if p.kind is p.VAR_POSITIONAL:
                raise TypeError(
                    f"{cls.__name__}.__init__ takes *{p.name}; estimators name every parameter"
                )
            names.append(p.name)
        return sorted(names)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Hyperparameters by name; with ``deep``, also ``name__sub`` of nested estimators."""
        out: dict[str, Any] = {}
        for name in self._get_param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{name}__{k}", v) for k, v in value.get_params().items())
            out[name] = value
        return out

    def set_params(self, **params: Any) -> Self:
        """Set hyperparameters (``name__sub`` reaches a nested estimator); returns ``self``.

        An unknown name is one :class:`~micromix.errors.ConfigError` listing the known ones.
        """
        if not params:
            return self
        valid = self.get_params(deep=True)
        nested: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            name, delim, sub = key.partition("__")
            if name not in valid:
                raise ConfigError(
                    f"{type(self).__name__} has no parameter {name!r}; use one of "
                    f"{', '.join(self._get_param_names())}"
                )
            if delim:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
                valid[name] = value
        for name, sub_params in nested.items():
            valid[name].set_params(**sub_params)
        return self

    def __repr__(self) -> str:
        """``Name(param=value, ...)`` with the parameters that differ from their defaults."""
        defaults = {
            p.name: p.default for p in inspect.signature(type(self).__init__).parameters.values()
        }
        changed = {
            k: v
            for k, v in self.get_params(deep=False).items()
            if defaults.get(k, inspect.Parameter.empty) is inspect.Parameter.empty
            or not _same(v, defaults[k])
        }
        inner = ", ".join(f"{k}={v!r}" for k, v in changed.items())
        return f"{type(self).__name__}({inner})"

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's tags (only scikit-learn calls this, so it is loaded already)."""
        from sklearn.utils import ClassifierTags, RegressorTags, Tags, TargetTags

        kind = self._estimator_kind
        return Tags(
            estimator_type=kind,
            target_tags=TargetTags(required=kind in ("classifier", "regressor")),
            transformer_tags=None,
            regressor_tags=RegressorTags() if kind == "regressor" else None,
            classifier_tags=ClassifierTags() if kind == "classifier" else None,
        )
