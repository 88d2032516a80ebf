"""An in-memory index of the keys a table holds, as 64-bit hashes (engine-free).

An upsert must find the stored rows its batch replaces. In SQL that is a join of the batch with
the whole table, so each batch costs time in proportion to the table: a service taking 2,000
events at a time into a table of 3 million random ids spends about 75 ms of CPU per batch on
that join alone, and more as the table grows. :class:`KeyIndex` answers "may any of these keys
be stored?" from a sorted array of the stored keys' hashes in O(batch x log table): when no key
of a batch is in it, which is the rule for a stream of new events, the batch is simply
inserted. A hash that is in it only means the key *may* be stored (two keys can share a
hash), so the store then runs the exact join; the index can give false alarms, never a false
all-clear, as long as every key written to the table is added to it (see
:class:`micromix.store.duckdb_store.DuckDBStore` for when it is dropped and rebuilt).

8 bytes per stored row (80 MB for 10 million rows), plus up to 65,536 recent keys in a set.
"""

from __future__ import annotations

import numpy as np

__all__ = ["KeyIndex"]

_FOLD_EVERY = 65_536


class KeyIndex:
    """The hashes of a table's stored keys, and the table's row count they describe.

    Parameters
    ----------
    hashes : numpy.ndarray
        The 64-bit hashes of every stored row's key (any order, duplicates allowed).
    rows : int
        The table's row count when ``hashes`` were read.

    Examples
    --------
    >>> import numpy as np
    >>> ix = KeyIndex(np.array([5, 1, 9], dtype=np.uint64), rows=3)
    >>> ix.may_hold(np.array([9, 2], dtype=np.uint64)).tolist()
    [True, False]
    >>> ix.add(np.array([2], dtype=np.uint64), inserted=1)
    >>> ix.may_hold(np.array([2], dtype=np.uint64)).tolist(), ix.rows
    ([True], 4)
    """

    def __init__(self, hashes: np.ndarray, rows: int) -> None:
        self._sorted = np.sort(np.asarray(hashes, dtype=np.uint64))
        # keys added since the last fold into the sorted array: a set, O(1) to add and to ask
        self._recent: set[int] = set()
        self.rows = int(rows)

    def __len__(self) -> int:
        return len(self._sorted) + len(self._recent)

    def may_hold(self, hashes: np.ndarray) -> np.ndarray:
        """For each hash, whether a stored key may have it (False: certainly not stored)."""
        h = np.asarray(hashes, dtype=np.uint64)
        out = _in_sorted(self._sorted, h)
        if self._recent:
            recent = self._recent
            out |= np.fromiter((x in recent for x in h.tolist()), dtype=bool, count=len(h))
        return out

    def add(self, hashes: np.ndarray, *, inserted: int) -> None:
        """Record keys just written and the ``inserted`` rows they added to the table."""
        self.rows += int(inserted)
        self._recent.update(np.asarray(hashes, dtype=np.uint64).tolist())
        # fold the recent keys into the sorted array every 65,536 keys: a set holds ~70 bytes a
        # key, the array 8; a sort of 3 M hashes takes ~20 ms, i.e. well under 1 ms a batch
        if len(self._recent) > _FOLD_EVERY:
            new = np.fromiter(self._recent, dtype=np.uint64, count=len(self._recent))
            self._sorted = np.sort(np.concatenate([self._sorted, new]))
            self._recent = set()


def _in_sorted(sorted_: np.ndarray, h: np.ndarray) -> np.ndarray:
    if not len(sorted_):
        return np.zeros(len(h), dtype=bool)
    i = np.searchsorted(sorted_, h)
    i[i == len(sorted_)] = 0
    return np.asarray(sorted_[i] == h)
