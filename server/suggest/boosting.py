"""A ranking model of small trees, fitted by LambdaMART (Burges, 2010), in plain numpy.

A linear ranker weighs each feature the same way everywhere: a little more word match is worth
as much at the bottom of the pool as among the best. Trees of two levels learn where a feature
matters (how much of a title is enough, a match that counts only when the meaning agrees too)
and so order the top of the list better. Each round fits one tree to the LambdaRank gradients:
for every pair of a page's candidates graded differently, the pull of a logistic pairwise loss,
weighed by how much swapping the two would change nDCG. Leaves take a Newton step, shrunk by
the rate.

Splits are found on quantile bins of each feature (histograms of the gradients), so a round over
the ~8,000 candidates of the reference corpus's 76 judged work pages takes about 12 ms, and the
whole fit about 2.5 s. The fit is deterministic: no sampling.
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np

ROUNDS = 200
RATE = 0.03  # shrinkage of each tree's step
# the share of all candidates a leaf needs (and at least MIN_LEAF): fewer and the trees learn
# the judged pages, not the task
LEAF_SHARE, MIN_LEAF = 0.03, 10
L2 = 1.0  # on the leaf values, against splits on a few large gradients
BINS = 64  # quantile bins per feature, where splits may fall
TRUNCATION = 30  # pairs count only when one of the two sits this high in the current order
SIGMA = 1.0


@dataclass
class Trees:
    """score = sum of the trees' leaves. Each tree: (feature, threshold) at the root, then one
    (feature, threshold) per side (feature -1: that side does not split), and four leaves,
    left-left, left-right, right-left, right-right; a candidate goes left when x <= threshold."""

    names: list[str]
    trees: list[list[float]]

    @cached_property
    def _table(self) -> tuple[np.ndarray, np.ndarray]:
        """The trees as arrays, built once (each page scores with them): features, one row per
        tree (a side that does not split reads feature 0: its leaf is the same both ways), and
        thresholds and leaves."""
        t = np.array(self.trees, dtype=np.float64).reshape(len(self.trees), 10)
        f = t[:, [0, 2, 4]].astype(np.int64)
        f[f < 0] = 0
        return f, t

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if not self.trees:
            return np.zeros(len(x))
        f, t = self._table
        left = x[:, f[:, 0]] <= t[:, 1]  # candidates x trees
        low = np.where(x[:, f[:, 1]] <= t[:, 3], t[:, 6], t[:, 7])
        high = np.where(x[:, f[:, 2]] <= t[:, 5], t[:, 8], t[:, 9])
        return np.where(left, low, high).sum(axis=1)


def fit(names: list[str], pages: list[tuple[np.ndarray, np.ndarray]],
        rounds: int = ROUNDS, rate: float = RATE) -> Trees:
    """pages: (candidate features, graded relevance) of each judged page with a graded one."""
    x = np.concatenate([m for m, _ in pages]).astype(np.float64)
    edges = [_edges(x[:, f]) for f in range(x.shape[1])]
    binned = np.stack([np.searchsorted(e, x[:, f], side="left") for f, e in enumerate(edges)],
                      axis=1).astype(np.int32)
    pairs = _Pairs([grades for _, grades in pages])
    leaf = max(MIN_LEAF, int(LEAF_SHARE * len(x)))
    score = np.zeros(len(x))
    trees = []
    for _ in range(rounds):
        grad, hess = pairs.gradients(score)
        tree = _tree(binned, edges, grad, hess, rate, leaf)
        if tree is None:
            break
        trees.append(tree)
        score += Trees(names, [tree])(x)
    return Trees(list(names), trees)


def _edges(column: np.ndarray) -> np.ndarray:
    """Candidate thresholds of one feature: its distinct quantiles (the last never splits)."""
    return np.unique(np.quantile(column, np.linspace(0, 1, BINS + 1)[1:]))


class _Pairs:
    """Every pair of a page's candidates graded differently, with what swapping them is worth."""

    def __init__(self, pages: list[np.ndarray]):
        """pages: the graded relevance of each page's candidates."""
        self.starts, better, worse, worth = [], [], [], []
        start = 0
        for grades in pages:
            n = len(grades)
            gain = 2.0 ** grades - 1
            ideal = np.sort(gain)[::-1][:TRUNCATION]
            best = float(ideal @ (1 / np.log2(np.arange(len(ideal)) + 2)))
            i, j = np.nonzero(grades[:, None] > grades[None, :])
            better.append(i + start)
            worse.append(j + start)
            worth.append((gain[i] - gain[j]) / (best or 1.0))
            self.starts.append((start, n))
            start += n
        self.better, self.worse = np.concatenate(better), np.concatenate(worse)
        self.worth = np.concatenate(worth)
        self.page_of = np.repeat(np.arange(len(pages)), [n for _, n in self.starts])
        self.size = start

    def gradients(self, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        position = np.empty(self.size, dtype=np.int64)  # 0 = first on its page
        for start, n in self.starts:
            position[start + np.argsort(-score[start:start + n], kind="stable")] = np.arange(n)
        pi, pj = position[self.better], position[self.worse]
        counted = np.minimum(pi, pj) < TRUNCATION
        swap = self.worth * np.abs(1 / np.log2(pi + 2) - 1 / np.log2(pj + 2)) * counted
        rho = 1 / (1 + np.exp(SIGMA * (score[self.better] - score[self.worse])))
        pull = SIGMA * swap * rho
        curve = SIGMA * SIGMA * swap * rho * (1 - rho)
        grad = np.bincount(self.worse, pull, self.size) - np.bincount(self.better, pull, self.size)
        hess = np.bincount(self.better, curve, self.size) + np.bincount(self.worse, curve,
                                                                        self.size)
        # each page's pull normalized as LightGBM's lambdarank does: log2(1 + total) / total
        total = np.bincount(self.page_of, np.abs(grad), len(self.starts))
        with np.errstate(divide="ignore", invalid="ignore"):
            norm = np.where(total > 0, np.log2(1 + total) / total, 0.0)[self.page_of]
        return grad * norm, hess * norm


def _tree(binned, edges, grad, hess, rate, leaf) -> list[float] | None:
    rows = np.ones(len(grad), dtype=bool)
    root = _split(binned, edges, grad, hess, rows, leaf)
    if root is None:
        return None
    f0, t0 = root
    left = binned[:, f0] <= t0
    out = [float(f0), float(edges[f0][t0])]
    leaves = []
    for side in (left, ~left):
        child = _split(binned, edges, grad, hess, side, leaf)
        if child is None:
            out += [-1.0, 0.0]
            value = _leaf(grad, hess, side, rate)
            leaves += [value, value]
            continue
        f, t = child
        out += [float(f), float(edges[f][t])]
        below = side & (binned[:, f] <= t)
        leaves += [_leaf(grad, hess, below, rate), _leaf(grad, hess, side & ~below, rate)]
    return out + leaves


def _leaf(grad, hess, rows, rate) -> float:
    return float(-rate * grad[rows].sum() / (hess[rows].sum() + L2))


def _split(binned, edges, grad, hess, rows, leaf) -> tuple[int, int] | None:
    """The (feature, bin) whose split of these rows gains most, or None."""
    g, h, n = grad[rows], hess[rows], int(rows.sum())
    if n < 2 * leaf:
        return None
    parent = g.sum() ** 2 / (h.sum() + L2)
    best, where = 1e-12, None
    sub = binned[rows]
    for f, e in enumerate(edges):
        size = len(e) + 1
        gs = np.cumsum(np.bincount(sub[:, f], g, size))
        hs = np.cumsum(np.bincount(sub[:, f], h, size))
        ns = np.cumsum(np.bincount(sub[:, f], minlength=size))
        ok = (ns >= leaf) & (n - ns >= leaf)
        ok[len(e) - 1:] = False  # at or past the last edge nothing is on the right
        if not ok.any():
            continue
        gain = gs ** 2 / (hs + L2) + (gs[-1] - gs) ** 2 / (hs[-1] - hs + L2) - parent
        gain[~ok] = -np.inf
        k = int(np.argmax(gain))
        if gain[k] > best:
            best, where = float(gain[k]), (f, k)
    return where
