"""Postings as arrays: for each term key, the documents that have it and their scores, gathered
for many keys at once (numpy, no Python loop per document)."""

import numpy as np


class Postings:
    """key id -> (doc indexes, scores), stored as one sorted array with offsets per key."""

    def __init__(self, size: int, key_ids, docs, scores):
        order = np.argsort(key_ids, kind="stable")
        self.keys_of = np.ascontiguousarray(key_ids[order])  # the key of each entry (at load)
        self.docs = np.ascontiguousarray(docs[order])
        self.scores = np.ascontiguousarray(scores[order])
        self.offsets = np.searchsorted(self.keys_of, np.arange(size + 1))

    def get(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.offsets[k], self.offsets[k + 1]
        return self.docs[lo:hi], self.scores[lo:hi]

    def gather(self, keys: list[int | None]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The entries of all these keys at once (None: a key nobody has): their documents,
        scores, and the position in `keys` each came from."""
        at = [(i, self.offsets[k], self.offsets[k + 1]) for i, k in enumerate(keys)
              if k is not None]
        if not at:
            return (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32),
                    np.zeros(0, dtype=np.intp))
        which = np.repeat([i for i, _, _ in at], [hi - lo for _, lo, hi in at])
        return (np.concatenate([self.docs[lo:hi] for _, lo, hi in at]),
                np.concatenate([self.scores[lo:hi] for _, lo, hi in at]), which)
