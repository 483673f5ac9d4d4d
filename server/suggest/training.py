"""`jitlearn train`: fit the ranking and abstention models to graded judgments, cross-validated.

Every judged page is read once through the engine's own path (Engine.read: one spaCy pass, the
first stage, the features). Then, for each of k folds of pages, both models are fitted on the
other folds and the held-out pages are answered by the engine's own choice of cards
(Engine._choose); the figures reported are those of the held-out pages. The model saved is
fitted on every page. A gap of more than 0.05 between the in-sample and the cross-validated
figures means the model is learning the judged pages, not the task.
"""

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np

from index import ContentIndex
from index.profiles import FEATURES, PAGE_FEATURES
from nlp import Context, TopicExtractor
from nlp.redact import redact_context
from server.suggest import boosting
from server.suggest.engine import Engine, Page, Settings, page_features
from server.suggest.evaluation import condensed, run_eval, score
from server.suggest.ranker import PAGE_EXTRA, Linear, Model, Sum
from server.suggest.results import Personal

RANKER_L2 = 0.01  # on standardized features; small: the pairs are many
ABSTAINER_L2 = 2
STEPS = 600
# the page alone, never the ranker's scores: their scale moves with every refit of the ranker
ABSTAINER_USES = ("affinity", "subject_affinity", "site_affinity", "best_semantic")
SHOWN = 10  # cards scored per page, as `jitlearn eval` asks for
USEFUL = 2  # the grade from which a card is useful ("clearly useful", judgments' scale)
USEFUL_L2 = 0.001


class TrainingError(ValueError):
    """The judgments cannot train a model (too few, or nothing graded among the candidates)."""


@dataclass
class Sample:
    """One judged page as the engine read it."""

    id: str
    work: bool  # a page that should get an answer (not expect_empty)
    relevant: dict[str, int]
    page: Page
    grades: np.ndarray  # the judged grade of each candidate, 0 when unjudged


def read_judgments(engine: Engine, judgments: list[dict], progress=None) -> list[Sample]:
    samples = []
    for n, j in enumerate(judgments):
        page = engine.read(redact_context(Context.from_dict(j["context"])))
        relevant = {k: int(v) for k, v in (j.get("relevant") or {}).items()}
        grades = np.array([relevant.get(h.id, 0) for h in page.hits], dtype=np.float64)
        samples.append(Sample(j["id"], not j.get("expect_empty"), relevant, page, grades))
        if progress:
            progress(n + 1, len(judgments))
    return samples


def folds(samples: list[Sample], k: int, seed: int = 0) -> list[list[int]]:
    """k folds of sample positions, off-work pages spread evenly (stratified), shuffled."""
    rng = random.Random(seed)
    out: list[list[int]] = [[] for _ in range(k)]
    for work in (False, True):
        members = [i for i, s in enumerate(samples) if s.work == work]
        rng.shuffle(members)
        for n, i in enumerate(members):
            out[n % k].append(i)
    return [sorted(f) for f in out]


def _standardize(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0) if len(x) else np.zeros(x.shape[1])
    scale = x.std(axis=0) if len(x) else np.ones(x.shape[1])
    return mean, np.where(scale > 1e-9, scale, 1.0)


def _adam(grad, size: int, steps: int = STEPS, rate: float = 0.05) -> np.ndarray:
    w, m, v = np.zeros(size), np.zeros(size), np.zeros(size)
    for t in range(1, steps + 1):
        g = grad(w)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w -= rate * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    return w


def fit_ranker(samples: list[Sample]) -> Sum:
    """A linear ranker and trees, each fitted on its own to the judged pages, added."""
    work = [s for s in samples if s.work and s.grades.any()]
    if not work:
        raise TrainingError("no work page among these has a graded document among its "
                            "candidates: there is nothing to learn the ranking from")
    trees = boosting.fit(list(FEATURES), [(s.page.candidates.matrix, s.grades) for s in work])
    return Sum(_fit_linear(work), trees)


def _fit_linear(work: list[Sample]) -> Linear:
    """Pairwise logistic regression: on each page, every better-graded candidate should
    outscore every worse one; a pair counts by its gain difference, each page equally."""
    mean, scale = _standardize(np.concatenate([s.page.candidates.matrix for s in work]))
    diffs, weights = [], []
    for s in work:
        z = (s.page.candidates.matrix - mean) / scale
        g = s.grades
        better, worse = np.nonzero(g[:, None] > g[None, :])
        if not len(better):
            continue
        gain = (2 ** g[better]) - (2 ** g[worse])
        diffs.append(z[better] - z[worse])
        weights.append(gain / gain.sum())
    d, pw = np.concatenate(diffs), np.concatenate(weights) / len(diffs)

    def grad(w):
        margin = d @ w
        return -(pw / (1 + np.exp(margin))) @ d + 2 * RANKER_L2 * w

    w = _adam(grad, len(FEATURES))
    return Linear(list(FEATURES), mean.tolist(), scale.tolist(), w.tolist())


def rescore(sample: Sample, ranker: Linear | Sum) -> tuple[np.ndarray, np.ndarray]:
    """The sample's candidate scores and page features under another ranker."""
    page = sample.page
    scores = ranker(page.candidates.matrix) if len(page.hits) else np.zeros(0)
    return scores, page_features(page.candidates, scores, page.concepts, page.affinity)


def fit_abstainer(samples: list[Sample], ranker: Linear) -> tuple[Linear, float]:
    """Logistic regression of "a work page" on the page features, both kinds weighing the
    same in all; the threshold is the one that best balances the two accuracies on these
    pages (the middle of the best range), never set by hand."""
    x = np.stack([rescore(s, ranker)[1] for s in samples]).astype(np.float64)
    y = np.array([s.work for s in samples], dtype=np.float64)
    mean, scale = _standardize(x)
    used = np.array([n in ABSTAINER_USES for n in PAGE_FEATURES + PAGE_EXTRA])
    z = np.hstack([np.where(used, (x - mean) / scale, 0.0), np.ones((len(x), 1))])
    cw = np.where(y == 1, 0.5 / max(y.sum(), 1), 0.5 / max((1 - y).sum(), 1))

    def grad(w):
        p = 1 / (1 + np.exp(-(z @ w)))
        reg = 2 * ABSTAINER_L2 * np.append(w[:-1], 0) / len(x)
        return (cw * (p - y)) @ z + reg

    w = _adam(grad, z.shape[1])
    model = Linear(list(PAGE_FEATURES + PAGE_EXTRA), mean.tolist(), scale.tolist(),
                   w[:-1].tolist(), float(w[-1]))
    p = 1 / (1 + np.exp(-model(x)))
    return model, _threshold(p, y)


def _threshold(p: np.ndarray, y: np.ndarray) -> float:
    cuts = np.unique(np.concatenate([[0.0], p, [1.0 + 1e-9]]))
    best, ties = -1.0, []
    for cut in cuts:
        answered = p >= cut
        right = float((answered == (y == 1)).mean())
        if right > best + 1e-12:
            best, ties = right, [cut]
        elif abs(right - best) <= 1e-12:
            ties.append(cut)
    low, high = ties[0], ties[-1]
    below = cuts[cuts < low]
    low = (low + below[-1]) / 2 if len(below) else low  # midway into the gap below
    return float(min((low + high) / 2, 1.0))


def fit(samples: list[Sample]) -> Model:
    ranker = fit_ranker(samples)
    abstainer, threshold = fit_abstainer(samples, ranker)
    return Model(ranker, abstainer, threshold)


def answer(engine: Engine, sample: Sample, model: Model, limit: int = SHOWN) -> list[str]:
    """The ids the engine would show for this page under this model."""
    scores, features = rescore(sample, model.ranker)
    page = sample.page
    p = engine.answer(model, features, bool(page.hits), page.concepts)
    if p < model.threshold:
        return []
    page = replace(sample.page, scores=scores, features=features, answer=p)
    return [s.id for s in engine._choose(page, limit, {}, None, None)]


def held_scores(sample: Sample, model: Model) -> list[tuple[float, int, bool]]:
    """(score, place, judged useful) of the first SHOWN candidates of a work page
    under a model that never saw it: what a card's score is calibrated on. The place counts
    beside the score: the first of a page is useful more often than its score alone says."""
    if not sample.work or not len(sample.page.hits):
        return []
    scores, _ = rescore(sample, model.ranker)
    return [(float(scores[i]), place, bool(sample.grades[i] >= USEFUL))
            for place, i in enumerate(np.argsort(-scores, kind="stable")[:SHOWN])]


def fit_usefulness(rows: list[tuple[float, int, bool]]) -> list[float] | None:
    """Logistic regression of "judged useful" on (score, ln(1 + place)): a card's score is the
    chance that it helps. None without both kinds among the rows (nothing to calibrate on)."""
    y = np.array([r[2] for r in rows], dtype=np.float64)
    if not len(y) or y.all() or not y.any():
        return None
    x = np.array([(score, math.log1p(place)) for score, place, _ in rows], dtype=np.float64)
    mean, scale = _standardize(x)
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])

    def grad(w):
        p = 1 / (1 + np.exp(-(z @ w)))
        return (p - y) @ z / len(y) + 2 * USEFUL_L2 * np.append(w[:-1], 0)

    w = _adam(grad, 3)
    weights = w[:2] / scale  # back to the raw scores
    return [*weights.tolist(), float(w[2] - weights @ mean)]


def calibration(rows: list[tuple[float, int, bool]], model: Model,
                places: int = 3) -> list[dict]:
    """For the first `places` cards of a page, on held-out pages: the mean score a card says
    (model.useful) and the share that was judged useful; what `jitlearn train` prints."""
    out = []
    for place in range(places):
        here = [r for r in rows if r[1] == place]
        if here:
            said = [model.useful(score, place, 0.0) for score, _, _ in here]
            out.append({"card": place + 1, "pages": len(here),
                        "said": round(float(np.mean(said)), 3),
                        "useful": round(float(np.mean([r[2] for r in here])), 3)})
    return out


def measure(engine: Engine, samples: list[Sample], model: Model) -> dict:
    runs = {s.id: answer(engine, s, model) for s in samples}
    judgments = [{"id": s.id, "relevant": s.relevant, "expect_empty": not s.work}
                 for s in samples]
    return score(judgments, runs)


def cross_validate(engine: Engine, samples: list[Sample], k: int = 5, seed: int = 0,
                   held_out: list | None = None) -> tuple[dict, dict[str, list[str]]]:
    """Held-out figures over k folds, and each page's held-out answer. held_out: a list to
    receive each work page's held_scores."""
    if len(samples) < k:
        raise TrainingError(f"{k} folds need at least {k} judged pages; there are "
                            f"{len(samples)}: judge more, or use fewer folds")
    runs: dict[str, list[str]] = {}
    for n, held in enumerate(folds(samples, k, seed), 1):
        rest = [s for i, s in enumerate(samples) if i not in set(held)]
        try:
            model = fit(rest)
        except TrainingError as exc:
            raise TrainingError(f"fold {n} of {k}: {exc}; judge more pages, or use fewer "
                                f"folds") from exc
        for i in held:
            runs[samples[i].id] = answer(engine, samples[i], model)
            if held_out is not None:
                held_out += held_scores(samples[i], model)
    judgments = [{"id": s.id, "relevant": s.relevant, "expect_empty": not s.work}
                 for s in samples]
    return score(judgments, runs), runs


def reader(extractor: TopicExtractor, index: ContentIndex, taxonomy: bool = True) -> Engine:
    """An engine to read judged pages with: the first stage's order, no abstention."""
    return Engine(extractor, index, Settings(taxonomy=taxonomy), model=Model.neutral())


def train(engine: Engine, samples: list[Sample], k: int = 5) -> tuple[Model, list]:
    """The model fitted on every page, and the table rows: in-sample and cross-validated. A
    card's score is calibrated on the held-out folds' candidates (fit_usefulness)."""
    model = fit(samples)
    inside = measure(engine, samples, model)
    rows: list[tuple[float, float, bool]] = []
    held, _ = cross_validate(engine, samples, k, held_out=rows)
    model.usefulness = fit_usefulness(rows)
    model.trained = {"date": datetime.now(UTC).strftime("%Y-%m-%d"), "folds": k,
                     "in_sample": inside, "cross_validated": held}
    if model.usefulness:
        model.trained["cards"] = calibration(rows, model)
    return model, [("in-sample (fitted on these pages)", inside),
                   (f"cross-validated ({k} folds)", held)]


def report(engine: Engine, judgments: list[dict], k: int,
           personalize: Callable[[dict], Personal | None],
           baseline: dict[str, list[str]] | None, shipped: dict) -> str:
    """`jitlearn eval --cross-validate`: every figure the relevance work is judged by, in one
    table. shipped: the engine's own figures (its model file, profiles applied)."""
    rows = []
    if baseline is not None:
        rows.append(("plain full-text search (BM25F baseline)", score(judgments, baseline)))
    rows.append(("jitlearn as installed (its model file, profiles applied)", shipped))
    for taxonomy, name in ((True, "jitlearn"), (False, "jitlearn, empty taxonomy and rules")):
        read = reader(engine.extractor, engine.index, taxonomy)
        _, fitted = train(read, read_judgments(read, judgments), k)
        rows += [(f"{name}, {label}", figures) for label, figures in fitted]
    profiled = [j for j in judgments if isinstance(j.get("profile"), dict)]
    if profiled:
        n = len(profiled)
        plain, applied = {}, {}
        rows.append((f"as installed, the {n} pages with a profile, profiles not applied",
                     run_eval(engine, profiled, runs=plain)))
        rows.append((f"as installed, the {n} pages with a profile, profiles applied",
                     run_eval(engine, profiled, personalize=personalize, runs=applied)))
        for runs, how in ((plain, "not applied"), (applied, "applied")):
            # whether a page was answered is the rows above: a list of unjudged documents
            # only is an answer, and condenses to nothing
            rows.append((f"the same, judged documents only, profiles {how}",
                         {**score(profiled, condensed(profiled, runs)), "answer_rate": None}))
    return table(rows) + (f"\nAs installed, per page in this process: p50 "
                          f"{shipped['latency_ms_p50']} ms, p95 {shipped['latency_ms_p95']} ms"
                          if "latency_ms_p50" in shipped else "")


COLUMNS = (("contexts", "pages"), ("ndcg@5", "nDCG@5"), ("p@1", "P@1"),
           ("recall@10", "recall@10"), ("abstain_accuracy", "abstain"),
           ("answer_rate", "answer rate"))


def table(rows: list[tuple[str, dict]]) -> str:
    """Rows of figures as a Markdown table (what the README quotes)."""
    def cell(value):
        return "-" if value is None else f"{value:.3f}" if isinstance(value, float) \
            else str(value)

    width = max(len(name) for name, _ in rows)
    sizes = [max(len(h), 5) for _, h in COLUMNS]
    lines = ["| " + "system".ljust(width) + " | "
             + " | ".join(h.rjust(n) for (_, h), n in zip(COLUMNS, sizes, strict=True)) + " |",
             "|" + "-" * (width + 2) + "|" + "|".join("-" * (n + 2) for n in sizes) + "|"]
    for name, figures in rows:
        lines.append("| " + name.ljust(width) + " | " + " | ".join(
            cell(figures.get(key)).rjust(n) for (key, _), n in zip(COLUMNS, sizes, strict=True))
            + " |")
    return "\n".join(lines)
