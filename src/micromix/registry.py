"""One shape for pluggable parts: a named registry of small classes with a dict round-trip.

Adstock and saturation curves, burst detectors, uplift learners, sentiment scorers, ingest
format adapters and report sections are all "pick one by name, rebuild it from a dict". Each
kind gets one :class:`Registry`; a class joins it with the :meth:`Registry.register`
decorator under its ``lookup_name`` (lower case), and :meth:`Registry.create` builds an
instance from a name, from ``to_dict()`` output or passes an instance through. Unknown names
fail with one :class:`~micromix.errors.ConfigError` sentence listing the known ones.

Quickstart
----------
>>> from dataclasses import asdict, dataclass
>>> from typing import ClassVar
>>> from micromix.registry import Registry
>>> @dataclass(frozen=True)
... class Curve:
...     lookup_name: ClassVar[str] = ""
...     def to_dict(self):
...         return {"lookup_name": self.lookup_name, **asdict(self)}
>>> CURVES = Registry("curve", base=Curve)
>>> @CURVES.register
... @dataclass(frozen=True)
... class Hill(Curve):
...     lookup_name: ClassVar[str] = "hill"
...     slope: float = 1.0
>>> CURVES.names()
['hill']
>>> c = CURVES.create("hill", slope=2.0)
>>> c.to_dict()
{'lookup_name': 'hill', 'slope': 2.0}
>>> CURVES.create(c.to_dict()) == c
True
>>> CURVES.create("logistic")
Traceback (most recent call last):
...
micromix.errors.ConfigError: unknown curve 'logistic'; use one of: hill

Adopting it in a module that has its own ``_REGISTRY`` dict: replace the dict with
``NAME = Registry("what it holds")``, the decorator with ``NAME.register``, the lookup with
``NAME.get(name)`` (the class) or ``NAME.create(spec, **params)`` (an instance), and the list of
names with ``NAME.names()``. Keep the old public function names as one-line wrappers if callers
outside the package use them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Generic, TypeVar

from micromix.errors import ConfigError

__all__ = ["LOOKUP_KEY", "Registry"]

#: key that names the class in ``to_dict()`` output
LOOKUP_KEY = "lookup_name"

T = TypeVar("T")


class Registry(Generic[T]):
    """Named classes of one kind.

    Parameters
    ----------
    kind : str
        What the registry holds, for messages (``"burst detector"``).
    base : type, optional
        When given, :meth:`create` passes instances of ``base`` through unchanged and
        :meth:`register` refuses classes that are not subclasses of it.

    Notes
    -----
    Names are matched case-insensitively and without surrounding blanks. Registering a second
    class under a taken name replaces the first (a plug-in may override a default); the order
    of :meth:`__iter__` is registration order, :meth:`names` is sorted.
    """

    def __init__(self, kind: str, *, base: type[T] | None = None) -> None:
        self.kind = kind
        self.base = base
        self._classes: dict[str, type[T]] = {}

    # ------------------------------------------------------------------------------ building
    def register(self, cls: type[T]) -> type[T]:
        """Class decorator: add ``cls`` under its ``lookup_name`` and return it unchanged."""
        name = getattr(cls, LOOKUP_KEY, None)
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(
                f"{cls.__name__} needs a non-empty string {LOOKUP_KEY} to join the {self.kind} "
                "registry; set the class attribute"
            )
        if name != name.strip().lower():
            raise ConfigError(
                f"{cls.__name__}.{LOOKUP_KEY}={name!r} must be lower case without blanks; "
                f"use {name.strip().lower()!r}"
            )
        if self.base is not None and not issubclass(cls, self.base):
            raise ConfigError(
                f"{cls.__name__} is not a {self.base.__name__}; only those join the "
                f"{self.kind} registry"
            )
        self._classes[name] = cls
        return cls

    def get(self, name: str) -> type[T]:
        """The class registered as ``name``."""
        key = str(name).strip().lower()
        try:
            return self._classes[key]
        except KeyError:
            known = ", ".join(self.names()) or "(none registered)"
            raise ConfigError(f"unknown {self.kind} {name!r}; use one of: {known}") from None

    def create(self, spec: str | Mapping[str, Any] | T, /, **params: Any) -> T:
        """An instance from a name (plus ``params``), a ``to_dict()`` mapping, or an instance.

        Parameters
        ----------
        spec : str, mapping or instance
            A registered name; a mapping with ``lookup_name`` and the constructor's keyword
            arguments (what ``to_dict()`` returns); or an instance of ``base``, returned as is.
        **params
            Keyword arguments for the constructor (merged over a mapping's).
        """
        if self.base is not None and isinstance(spec, self.base):
            if params:
                raise ConfigError(
                    f"parameters {sorted(params)} cannot be applied to an existing {self.kind}; "
                    "pass its name instead"
                )
            return spec
        if isinstance(spec, str):
            return self._build(self.get(spec), params)
        if isinstance(spec, Mapping):
            data = dict(spec)
            if LOOKUP_KEY not in data:
                raise ConfigError(
                    f"{self.kind} spec {data!r} has no {LOOKUP_KEY!r}; use one of: "
                    f"{', '.join(self.names())}"
                )
            cls = self.get(str(data.pop(LOOKUP_KEY)))
            return self._build(cls, {**data, **params})
        raise ConfigError(
            f"a {self.kind} is given by name, by a dict with {LOOKUP_KEY!r} or as an instance, "
            f"not as {type(spec).__name__}"
        )

    def _build(self, cls: type[T], params: dict[str, Any]) -> T:
        try:
            return cls(**params)
        except TypeError as exc:
            raise ConfigError(
                f"{self.kind} {getattr(cls, LOOKUP_KEY)!r} does not take these parameters "
                f"({exc}); check the names against its documentation"
            ) from None

    # ------------------------------------------------------------------------------ reading
    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._classes)

    def copy(self) -> Registry[T]:
        """An independent registry with the same classes (for tests and sandboxes)."""
        other: Registry[T] = Registry(self.kind, base=self.base)
        other._classes = dict(self._classes)
        return other

    def as_dict(self) -> dict[str, type[T]]:
        """A copy: ``name -> class``, in registration order."""
        return dict(self._classes)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.strip().lower() in self._classes

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._classes))

    def __len__(self) -> int:
        return len(self._classes)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, names={self.names()})"
