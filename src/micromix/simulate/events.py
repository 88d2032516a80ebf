"""The event log: compact event columns, emitted day by day as Arrow record batches.

Generators add events in *chunks* (one call per event kind and day) with narrow integer codes
and scalar columns kept as scalars, so a 1M-user, 90-day market (34M events) takes about 20
bytes per event while it is generated. :meth:`EventLog.batches` then emits the ``events``
contract one UTC day at a time, in time order, as :class:`pyarrow.RecordBatch` objects with
dictionary-encoded string columns: a caller writes each day to a store or to Parquet and drops
it, or collects all days into one table.

The order is that of a stable sort of every event by timestamp over the order the chunks were
added (so ties keep the generation order); ``event_id`` is the row number in that order.

Quickstart
----------
>>> import numpy as np
>>> from micromix.simulate.events import EventEncoder, EventLog
>>> log = EventLog()
>>> log.add(2, bucket=0, user=np.array([1, 0]), day=0, us=np.array([7, 3]), etype=4)
>>> enc = EventEncoder.minimal(users=2)
>>> [b.num_rows for b in log.batches(enc)]
[2]
>>> next(iter(log.batches(enc))).column("user_id").to_pylist()
['u0000000', 'u0000001']
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from micromix.errors import ConfigError
from micromix.schema.vocab import EVENT_TYPES, MOMENTS, STRATEGIES

__all__ = ["US_PER_DAY", "EventEncoder", "EventLog"]

#: microseconds per day (event times are microseconds since the first simulated midnight)
US_PER_DAY = 86_400_000_000

#: the compact type of every event column
_DTYPES: dict[str, type[np.generic]] = {
    "user": np.int32,
    "day": np.int16,
    "us": np.int64,
    "etype": np.int8,
    "channel": np.int16,
    "strategy": np.int8,
    "platform": np.int8,
    "post": np.int32,
    "creator": np.int32,
    "query": np.int16,
    "moment": np.int8,
    "device": np.int8,
    "revenue": np.float64,
}
#: values of the columns a chunk may leave out (-1: none)
_DEFAULTS: dict[str, int | float] = {
    "channel": -1,
    "strategy": -1,
    "platform": -1,
    "post": -1,
    "creator": -1,
    "query": -1,
    "moment": -1,
    "device": 0,
    "revenue": 0.0,
}
#: platform code of the brand's own web shop
WEB = -2
#: Arrow buffers of the events come from the C allocator, like the NumPy arrays they are made
#: from: the day-by-day build then reuses the memory of the compact chunks it frees (Arrow's
#: default pool cannot), which keeps 0.5 GB off the peak of a 36M-event table
_POOL = pa.system_memory_pool()

Column = np.ndarray | int | float
_CONSUMED = (
    "the events were already read with consume=True, which frees them; simulate the market "
    "again, or read it without consume=True"
)


@dataclass
class _Chunk:
    n: int
    cols: dict[str, Column]
    #: the day every row falls in, or None (then ``order`` / ``bounds`` split rows by day)
    bucket: int | None
    order: np.ndarray | None = None
    bounds: np.ndarray | None = None


class EventLog:
    """Event columns collected chunk by chunk, emitted per day (see the module docstring)."""

    def __init__(self) -> None:
        self._chunks: list[_Chunk | None] = []
        self._by_bucket: dict[int, list[int]] = {}
        self._spread: list[int] = []
        self._n = 0
        self._n_buckets = 0
        self._consumed = False

    @property
    def n_events(self) -> int:
        """Events in the log."""
        return self._n

    @property
    def n_days(self) -> int:
        """Days from the first simulated midnight to the last event's day, inclusive."""
        self._split()
        return self._n_buckets

    def add(self, n: int, *, bucket: int | None = None, **cols: Column) -> None:
        """Add ``n`` events; every column is an array of length ``n`` or a scalar.

        ``user``, ``day`` (the generating day, which names the session), ``us`` (microseconds
        since the first midnight) and ``etype`` are required; ``bucket`` is the UTC day of every
        row when the caller knows it (else it is computed from ``us``).
        """
        if n == 0:
            return
        if self._consumed:
            raise ConfigError(_CONSUMED)
        out: dict[str, Column] = {}
        for name, dtype in _DTYPES.items():
            if name in cols:
                v = cols[name]
            elif name in _DEFAULTS:
                v = _DEFAULTS[name]
            else:
                raise KeyError(f"EventLog.add needs column {name!r}")
            if np.ndim(v) == 0:
                out[name] = dtype(v).item()  # type: ignore[arg-type]
            else:
                arr = np.asarray(v)
                if len(arr) != n:
                    raise ValueError(f"column {name!r} has {len(arr)} values for {n} events")
                out[name] = arr.astype(dtype, copy=False)
        unknown = set(cols) - set(_DTYPES)
        if unknown:
            raise KeyError(f"EventLog.add got unknown columns {sorted(unknown)}")
        idx = len(self._chunks)
        self._chunks.append(_Chunk(n, out, bucket))
        if bucket is not None:
            self._by_bucket.setdefault(bucket, []).append(idx)
            self._n_buckets = max(self._n_buckets, bucket + 1)
        else:
            self._spread.append(idx)
        self._n += n

    def _split(self) -> None:
        """Sort the rows of multi-day chunks by day (once, after the last ``add``)."""
        for idx in self._spread:
            chunk = self._chunks[idx]
            if chunk is None or chunk.order is not None:
                continue
            day = (np.asarray(chunk.cols["us"]) // US_PER_DAY).astype(np.int16)  # radix sort
            chunk.order = np.argsort(day, kind="stable")
            top = int(day.max()) + 1
            chunk.bounds = np.searchsorted(day[chunk.order], np.arange(top + 1), side="left")
            self._n_buckets = max(self._n_buckets, top)

    def day_columns(self, day: int) -> dict[str, np.ndarray] | None:
        """Every column of the events of UTC ``day`` in time order (None if there are none)."""
        self._split()
        ids = sorted(
            [i for i in self._by_bucket.get(day, [])]
            + [i for i in self._spread if _rows_in(self._chunks[i], day)]
        )
        if not ids:
            return None
        pieces: list[tuple[_Chunk, np.ndarray | None]] = []
        for i in ids:
            chunk = self._chunks[i]
            if chunk is None:
                raise ConfigError(_CONSUMED)
            rows = None
            if chunk.bucket is None:
                assert chunk.order is not None and chunk.bounds is not None
                rows = chunk.order[chunk.bounds[day] : chunk.bounds[day + 1]]
            pieces.append((chunk, rows))
        n = sum(c.n if r is None else len(r) for c, r in pieces)
        cols = {k: np.empty(n, dtype=t) for k, t in _DTYPES.items()}
        pos = 0
        for chunk, rows in pieces:
            k = chunk.n if rows is None else len(rows)
            for name, v in chunk.cols.items():
                dest = cols[name][pos : pos + k]
                if rows is None or np.ndim(v) == 0:
                    dest[...] = v
                else:
                    np.take(v, rows, out=dest)
            pos += k
        # (time within the day, position) is unique, so any sort gives the stable order
        if n < 100_000_000:
            order = np.argsort((cols["us"] - day * US_PER_DAY) * n + np.arange(n))
        else:  # the composite key could overflow
            order = np.argsort(cols["us"], kind="stable")
        return {k: v[order] for k, v in cols.items()}

    def batches(self, encoder: EventEncoder, *, consume: bool = False) -> Iterator[pa.RecordBatch]:
        """The ``events`` contract, one record batch per UTC day with events, in time order.

        With ``consume=True`` each day's single-day chunks are freed once emitted (the log
        cannot be read again), which keeps peak memory near the compact log's size.
        """
        if self._consumed:
            raise ConfigError(_CONSUMED)
        self._split()
        self._consumed = consume  # even if the caller stops half-way: the log is incomplete
        first = 0
        for day in range(self._n_buckets):
            cols = self.day_columns(day)
            if consume:
                for i in self._by_bucket.pop(day, []):
                    self._chunks[i] = None
            if cols is None:
                continue
            batch = encoder.encode(cols, first)
            first += batch.num_rows
            yield batch
        if consume:
            self._chunks = [None] * len(self._chunks)


def _rows_in(chunk: _Chunk | None, day: int) -> bool:
    if chunk is None or chunk.bounds is None:
        return False
    return day + 1 < len(chunk.bounds) and bool(chunk.bounds[day + 1] > chunk.bounds[day])


def _index_type(size: int) -> tuple[type[np.generic], pa.DataType]:
    if size <= np.iinfo(np.int8).max:
        return np.int8, pa.int8()
    if size <= np.iinfo(np.int16).max:
        return np.int16, pa.int16()
    return np.int32, pa.int32()


class _Dictionary:
    """Codes -> a dictionary-encoded string column (engines read it as VARCHAR).

    ``labels[code]`` names each code; negative codes and codes whose label is None are null;
    repeated labels share one dictionary entry. Given an Arrow array of distinct ids instead,
    code ``i`` is ``ids[i]`` (int32 indices whatever their number, so that every market and
    every shard has the same schema).
    """

    def __init__(self, labels: Sequence[str | None] | pa.Array) -> None:
        self.lut: np.ndarray | None = None
        self.null: np.ndarray | None = None
        self.np_index: type[np.generic]
        if isinstance(labels, pa.Array):
            self.values = labels
            self.np_index, index = np.int32, pa.int32()
        else:
            uniq: dict[str, int] = {}
            remap = np.full(len(labels) + 1, -1, dtype=np.int64)  # the last entry is code -1
            for i, lab in enumerate(labels):
                if lab is not None:
                    remap[i] = uniq.setdefault(str(lab), len(uniq))
            self.values = pa.array(list(uniq) or [""], type=pa.string())
            self.np_index, index = _index_type(len(uniq))
            if not np.array_equal(remap[:-1], np.arange(len(labels))):  # else codes are indices
                self.null = remap < 0
                self.lut = np.where(self.null, 0, remap).astype(self.np_index)
        self.type = pa.dictionary(index, pa.string())

    def encode(self, codes: np.ndarray) -> pa.DictionaryArray:
        """Codes in ``[-1, len(labels))`` (-1 = null) as a dictionary array."""
        if self.lut is None or self.null is None:
            mask = codes < 0
            nulls = bool(mask.any())
            idx = (np.where(mask, 0, codes) if nulls else codes).astype(self.np_index, copy=False)
        else:
            idx = self.lut[codes]
            mask = self.null[codes]
            nulls = bool(mask.any())
        arr = pa.array(
            idx, type=self.type.index_type, mask=mask if nulls else None, memory_pool=_POOL
        )
        return pa.DictionaryArray.from_arrays(arr, self.values, safe=False, memory_pool=_POOL)


def _strings(numbers: np.ndarray) -> pa.Array:
    """Integers as decimal strings."""
    return pa.array(numbers, memory_pool=_POOL).cast(pa.string(), memory_pool=_POOL)


def user_ids(n: int) -> pa.Array:
    """``u0000000``, ``u0000001``, ... (at least seven digits) as an Arrow string array."""
    digits = pc.utf8_lpad(pa.array(np.arange(n, dtype=np.int64)).cast(pa.string()), 7, "0")
    return pc.binary_join_element_wise("u", digits, "")


def numbered_ids(prefix: str, width: int, n: int) -> pa.Array:
    """``{prefix}{i:0{width}d}`` for ``i`` in ``range(n)`` as an Arrow string array."""
    digits = pc.utf8_lpad(pa.array(np.arange(n, dtype=np.int64)).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


@dataclass
class EventEncoder:
    """Turns compact event columns into the ``events`` contract.

    Parameters
    ----------
    start_us : int
        The first simulated midnight, microseconds since the epoch.
    n_users, n_posts, n_creators : int
        Sizes of the id dictionaries.
    channels : list of (name, targeting, cost per impression)
        The paid channels by code; code ``len(channels)`` is organic user content.
    platforms : list of str
        Platform names by code; :data:`WEB` is the web shop.
    user_region : ndarray
        Region code of every user.
    regions, queries : list of str
        Region names and search query texts by code.
    """

    start_us: int
    n_users: int
    n_posts: int
    n_creators: int
    channels: list[tuple[str, str | None, float]]
    platforms: list[str]
    user_region: np.ndarray
    regions: Sequence[str]
    queries: Sequence[str]
    _dicts: dict[str, _Dictionary] = field(init=False, repr=False)
    _cost: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        names: list[str | None] = [c[0] for c in self.channels]
        self._dicts = {
            "user_id": _Dictionary(user_ids(self.n_users)),
            "event_type": _Dictionary(list(EVENT_TYPES)),
            "strategy": _Dictionary(list(STRATEGIES)),
            "targeting": _Dictionary([*(c[1] for c in self.channels), None]),
            "platform": _Dictionary([*self.platforms, "web"]),
            "campaign_id": _Dictionary([*names, None]),
            "ad_id": _Dictionary([*(f"ad:{c[0]}" for c in self.channels), None]),
            "post_id": _Dictionary(numbered_ids("p", 7, self.n_posts)),
            "creator_id": _Dictionary(numbered_ids("c", 6, self.n_creators)),
            "segment_id": _Dictionary(
                [*(f"seg:{c[0]}" if c[1] == "micro" else None for c in self.channels), None]
            ),
            "device": _Dictionary(["mobile", "desktop", "tablet", "other"]),
            "region": _Dictionary(list(self.regions)),
            "query": _Dictionary(list(self.queries)),
            "moment": _Dictionary(list(MOMENTS)),
        }
        self._cost = np.array([c[2] for c in self.channels] + [0.0], dtype="float64")

    @classmethod
    def minimal(cls, users: int) -> EventEncoder:
        """An encoder without channels, posts or creators (for examples and tests)."""
        return cls(0, users, 0, 0, [], ["instagram"], np.zeros(users, np.int8), ["US"], [])

    @property
    def schema(self) -> pa.Schema:
        """The Arrow schema of the batches (column order of the ``events`` contract)."""
        d = self._dicts
        return pa.schema(
            [
                ("event_id", pa.string()),
                ("ts", pa.timestamp("us")),
                ("user_id", d["user_id"].type),
                ("session_id", pa.string()),
                *[
                    (k, d[k].type)
                    for k in (
                        "event_type",
                        "strategy",
                        "targeting",
                        "platform",
                        "campaign_id",
                        "ad_id",
                        "post_id",
                        "creator_id",
                        "segment_id",
                        "device",
                        "region",
                        "query",
                        "moment",
                    )
                ],
                ("cost", pa.float64()),
                ("revenue", pa.float64()),
            ]
        )

    def encode(self, cols: dict[str, np.ndarray], first_id: int) -> pa.RecordBatch:
        """One record batch from compact columns (already in time order)."""
        d = self._dicts
        n = len(cols["us"])
        n_ch = len(self.channels)
        user = cols["user"].astype(np.int64)
        ch = cols["channel"].astype(np.int64)
        paid = (ch >= 0) & (ch < n_ch)
        ch_paid = np.where(paid, ch, -1)
        plat = cols["platform"].astype(np.int64)
        etype = cols["etype"]
        is_imp = etype == EVENT_TYPES.index("impression")
        cost = np.where(is_imp & paid, self._cost[np.where(paid, ch, n_ch)], 0.0)
        arrays = [
            _strings(np.arange(first_id, first_id + n, dtype=np.int64)),
            pa.array(self.start_us + cols["us"], type=pa.timestamp("us"), memory_pool=_POOL),
            d["user_id"].encode(user),
            _strings(user * 100_000 + cols["day"].astype(np.int64)),
            d["event_type"].encode(etype),
            d["strategy"].encode(cols["strategy"]),
            d["targeting"].encode(ch_paid),
            d["platform"].encode(np.where(plat == WEB, len(self.platforms), plat)),
            d["campaign_id"].encode(ch_paid),
            d["ad_id"].encode(ch_paid),
            d["post_id"].encode(cols["post"]),
            d["creator_id"].encode(cols["creator"]),
            d["segment_id"].encode(ch_paid),
            d["device"].encode(cols["device"]),
            d["region"].encode(self.user_region[user]),
            d["query"].encode(cols["query"]),
            d["moment"].encode(cols["moment"]),
            pa.array(cost, type=pa.float64(), memory_pool=_POOL),
            pa.array(cols["revenue"], type=pa.float64(), memory_pool=_POOL),
        ]
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)
