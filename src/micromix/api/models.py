"""The service's model registry: fitted models kept, saved and versioned with their data.

A fitted model is not a cached result. :class:`ModelRegistry` keeps every model the service
fits under a name (``mmm`` ...), with the *data version* it was fitted on
(:meth:`Service.data_version`: a counter of writes to data tables, so creating an API key or
writing an audit record leaves it unchanged) and a durable *fingerprint* of the data (rows per
data table), and saves it next to a file-backed store (``<db>.models/<name>.pkl`` plus a
``.json`` with the version, fingerprint, fit time and a SHA-256 of the pickle). After a restart
a saved model is used again when the data's fingerprint still matches.

Reading a model never waits for a fit: :meth:`ModelRegistry.current` returns the model fitted
on the current data, or ``None``; :meth:`ModelRegistry.fit` fits outside any store lock (one fit
per name at a time) and registers the result under the version it started from, so a write that
lands during a long fit makes the result stale at once rather than wrong.

Quickstart
----------
>>> from micromix.api.models import ModelRegistry
>>> version = [0]
>>> reg = ModelRegistry(lambda: version[0], lambda: {"events": 10})
>>> entry = reg.fit("answer", lambda: 42)
>>> reg.current("answer").model, entry.data_version
(42, 0)
>>> version[0] += 1          # a write to a data table
>>> reg.current("answer") is None, reg.latest("answer").model
(True, 42)
"""

from __future__ import annotations

import hashlib
import json
import pickle
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from micromix.errors import NotFittedError

__all__ = ["ModelEntry", "ModelRegistry"]


@dataclass
class ModelEntry:
    """One fitted model and what it was fitted on."""

    name: str
    model: Any
    data_version: int
    fingerprint: dict[str, int]
    fitted_at: float
    fit_seconds: float
    #: how many models have been registered under this name (1 for the first)
    revision: int = 1
    meta: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        """JSON-ready metadata (no model)."""
        return {
            "name": self.name,
            "revision": self.revision,
            "data_version": self.data_version,
            "fingerprint": dict(self.fingerprint),
            "fitted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.fitted_at)),
            "fit_seconds": round(self.fit_seconds, 3),
            **self.meta,
        }


class ModelRegistry:
    """Fitted models by name, versioned with the data (see the module docstring).

    Parameters
    ----------
    data_version : callable
        The current data version (changes exactly when a data table is written).
    fingerprint : callable
        A durable description of the data (rows per data table) for saved models.
    folder : Path, optional
        Where to save models; ``None`` keeps them in memory only.
    """

    def __init__(
        self,
        data_version: Callable[[], int],
        fingerprint: Callable[[], Mapping[str, int]],
        folder: Path | None = None,
    ) -> None:
        self._version = data_version
        self._fingerprint = fingerprint
        self.folder = folder
        self._entries: dict[str, ModelEntry] = {}
        self._lock = threading.Lock()
        self._fitting: dict[str, threading.Lock] = {}

    # ------------------------------------------------------------------ reading
    def latest(self, name: str) -> ModelEntry | None:
        """The last model registered under ``name``, whatever data it was fitted on."""
        with self._lock:
            return self._entries.get(name)

    def current(self, name: str) -> ModelEntry | None:
        """The model fitted on the current data, or ``None`` (never fits)."""
        entry = self.latest(name)
        if entry is None or entry.data_version != self._version():
            return None
        return entry

    def require(self, name: str, how: str) -> ModelEntry:
        """:meth:`current`, or :class:`NotFittedError` saying ``how`` to fit it."""
        entry = self.current(name)
        if entry is None:
            stale = self.latest(name) is not None
            raise NotFittedError(
                f"the {name} model is not fitted for the current data"
                + (" (the data changed since it was fitted)" if stale else "")
                + f"; {how}"
            )
        return entry

    def names(self) -> list[str]:
        with self._lock:
            return sorted(self._entries)

    # ------------------------------------------------------------------ fitting
    def fit(
        self, name: str, fit: Callable[[], Any], *, meta: Mapping[str, Any] | None = None
    ) -> ModelEntry:
        """Fit ``name`` with ``fit()`` unless a model for the current data exists; register it.

        One fit per name runs at a time (a second caller waits for it and gets its result);
        reads of the registry and of the store do not wait.
        """
        with self._lock:
            gate = self._fitting.setdefault(name, threading.Lock())
        with gate:
            hit = self.current(name)
            if hit is not None:
                return hit
            version = self._version()
            fingerprint = dict(self._fingerprint())
            t0 = time.perf_counter()
            model = fit()
            entry = ModelEntry(
                name,
                model,
                version,
                fingerprint,
                time.time(),
                time.perf_counter() - t0,
                meta=dict(meta or {}),
            )
            with self._lock:
                prev = self._entries.get(name)
                entry.revision = prev.revision + 1 if prev is not None else 1
                self._entries[name] = entry
            self._save(entry)
            return entry

    # ------------------------------------------------------------------ persistence
    def _paths(self, name: str) -> tuple[Path, Path]:
        assert self.folder is not None
        return self.folder / f"{name}.pkl", self.folder / f"{name}.json"

    def _save(self, entry: ModelEntry) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        blob, info = self._paths(entry.name)
        data = pickle.dumps(entry.model, protocol=pickle.HIGHEST_PROTOCOL)
        meta = {
            **asdict(entry),
            "model": None,
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        tmp = blob.with_suffix(".pkl.tmp")
        tmp.write_bytes(data)
        tmp.replace(blob)
        info.write_text(json.dumps(meta, default=str))

    def load_saved(self) -> list[str]:
        """Register the saved models whose data fingerprint matches the store's now.

        Only files this registry wrote are read (their SHA-256 must match); returns the names
        loaded.
        """
        if self.folder is None or not self.folder.is_dir():
            return []
        now = dict(self._fingerprint())
        loaded = []
        for info in sorted(self.folder.glob("*.json")):
            try:
                meta = json.loads(info.read_text())
                blob = info.with_suffix(".pkl")
                data = blob.read_bytes()
            except (OSError, ValueError):
                continue
            if meta.get("fingerprint") != now:
                continue
            if hashlib.sha256(data).hexdigest() != meta.get("sha256"):
                continue
            entry = ModelEntry(
                str(meta["name"]),
                pickle.loads(data),
                self._version(),
                now,
                float(meta.get("fitted_at", time.time())),
                float(meta.get("fit_seconds", 0.0)),
                int(meta.get("revision", 1)),
                dict(meta.get("meta") or {}),
            )
            with self._lock:
                self._entries[entry.name] = entry
            loaded.append(entry.name)
        return loaded
