"""What words mean in this library: latent semantic analysis of its own documents.

A page about an exhausted colleague who works late every weekend never says "burnout", and no
word-match finds the manager's guide to burnout. The library itself knows the words go together:
documents that talk about overwork, exhaustion and time off also talk about burnout. A truncated
SVD of the documents' BM25-weighted terms (LSA) puts words that share documents, and documents
that share words, near each other. It is learned from the library at load, with no outside
data, and refitted whenever the library changes (with the profiles).
"""

import numpy as np
from scipy import sparse

DIMENSIONS = 128
MIN_DF = 2  # a word in one document only says nothing about what it goes with
OVERSAMPLE, POWER_ITERATIONS = 16, 3  # randomized SVD (Halko, Martinsson and Tropp, 2011)


class Space:
    """Documents and words as vectors in the library's own latent space."""

    def __init__(self, n_docs: int, n_terms: int, terms: np.ndarray, docs: np.ndarray,
                 weights: np.ndarray, df: np.ndarray, dimensions: int = DIMENSIONS):
        """(terms, docs, weights): one entry per word of each document, weighted (BM25 x idf).

        A library too small to learn from (fewer than 3 documents, or of words that are each
        in one document only) gets the plain cosine of the weighted words instead."""
        self.size = 0
        keep = df >= MIN_DF
        k = min(dimensions, n_docs - 1, int(keep.sum()) - 1)
        if k < 2:
            self.term_column = np.arange(n_terms, dtype=np.int64)
            self.exact = _normalized(sparse.csr_matrix(
                (weights.astype(np.float64), (docs, terms)), shape=(n_docs, n_terms)))
            self.docs = np.zeros((n_docs, 0), dtype=np.float32)
            return
        columns = np.cumsum(keep) - 1  # term id -> column of the matrix
        mask = keep[terms]
        self.term_column = np.where(keep, columns, -1).astype(np.int64)
        a = _normalized(sparse.csr_matrix((weights[mask].astype(np.float64),
                                           (docs[mask], columns[terms[mask]])),
                                          shape=(n_docs, int(keep.sum()))))
        u, s, vt = randomized_svd(a, k)
        self.size = k
        self.terms = np.ascontiguousarray(vt.T, dtype=np.float32)  # words x k
        docs_vec = (u * s).astype(np.float32)
        length = np.linalg.norm(docs_vec, axis=1, keepdims=True)
        self.docs = docs_vec / np.where(length > 0, length, 1)

    def similarity(self, query: list[tuple[int | None, float, float]],
                   only: np.ndarray | None = None) -> np.ndarray:
        """Cosine of every document with the query ((term id, weight, idf) per word); only:
        of these documents alone, in this order."""
        known = [(k, weight * idf) for k, weight, idf in query if k is not None]
        keys = np.array([k for k, _ in known], dtype=np.int64)
        weights = np.array([w for _, w in known], dtype=np.float64)
        if not self.size:
            vector = np.bincount(keys, weights, minlength=self.exact.shape[1])
            length = float(np.linalg.norm(vector))
            exact = self.exact if only is None else self.exact[only]
            return (exact @ (vector / length)).astype(np.float32) if length \
                else np.zeros(exact.shape[0], dtype=np.float32)
        docs = self.docs if only is None else self.docs[only]
        columns = self.term_column[keys]
        said = columns >= 0
        vector = weights[said].astype(np.float32) @ self.terms[columns[said]]
        length = float(np.linalg.norm(vector))
        if not length:
            return np.zeros(len(docs), dtype=np.float32)
        return docs @ (vector / length)


def _normalized(a):
    """The rows of a sparse matrix scaled to length 1 (empty rows stay empty)."""
    norms = np.sqrt(np.asarray(a.multiply(a).sum(axis=1)).ravel())
    return sparse.diags(1 / np.where(norms > 0, norms, 1)) @ a


def randomized_svd(a, k: int, seed: int = 0):
    """The top k singular triplets of a sparse matrix; deterministic for a given seed."""
    rng = np.random.default_rng(seed)
    y = a @ rng.standard_normal((a.shape[1], k + OVERSAMPLE))
    for _ in range(POWER_ITERATIONS):
        y, _ = np.linalg.qr(y)
        y, _ = np.linalg.qr(a.T @ y)
        y = a @ y
    q, _ = np.linalg.qr(y)
    small = np.asarray((a.T @ q).T)
    u_small, s, vt = np.linalg.svd(small, full_matrices=False)
    return (q @ u_small)[:, :k], s[:k], vt[:k]
