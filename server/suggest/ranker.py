"""The learned part of suggesting: how to weigh a candidate's features, and when to say nothing.

Two small models, fitted to graded judgments by server/suggest/training.py (`jitlearn train`)
and stored as JSON, so an organisation can refit them on its own judgments or feedback:
- the ranker scores each candidate from index/profiles.FEATURES: the sum of a linear ranker
  and of trees fitted by LambdaMART (server/suggest/boosting.py), each fitted on its own to
  the same pairs (a better-graded document should outscore a worse one on the same page), so
  only differences between scores mean anything. A linear ranker alone (what the engine reads
  judged pages with, and what older model files hold) is read as well;
- the abstainer, a linear model, gives the probability that a page is work the library speaks
  to, from the page's features (profiles.PAGE_FEATURES) and what the engine made of it
  (PAGE_EXTRA); below its threshold the engine suggests nothing;
- a card's score: the chance that a card is useful (judged 2 or more), from the ranker's score
  and the card's place in the page's order, fitted on pages held out of the ranker's fit.
"""

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from index.profiles import FEATURES, PAGE_FEATURES
from server.suggest.boosting import Trees

DEFAULT = Path(__file__).parent.parent / "data" / "ranker.json"
PLAIN = Path(__file__).parent.parent / "data" / "ranker-plain.json"  # fitted without the taxonomy
# Page features the engine adds to profiles.PAGE_FEATURES: the best candidate's score, how far
# it stands above the next nine, the strongest taxonomy or rule topic (0 without taxonomy), and
# how much more the library uses the page's words than English does (nlp/background.py): in
# all, in the subject, the share of words it uses more, and in the names of the site it is on.
PAGE_EXTRA = ("top_score", "lead", "concept", "affinity", "subject_affinity", "work_words",
              "site_affinity")


class ModelError(ValueError):
    """A model file that cannot be used: unreadable, or made for other features."""


@dataclass
class Linear:
    """Standardize, then weigh: score = ((x - mean) / scale) . weights + bias."""

    names: list[str]
    mean: list[float]
    scale: list[float]
    weights: list[float]
    bias: float = 0.0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        z = (np.asarray(x, dtype=np.float64) - np.array(self.mean)) / np.array(self.scale)
        return z @ np.array(self.weights) + self.bias


@dataclass
class Sum:
    """Two rankers fitted each on its own, their scores added: the line weighs every feature
    everywhere, the trees learn where one matters; together they hold better on unseen pages
    than either alone (docs/architecture.md)."""

    linear: Linear
    trees: Trees

    @property
    def names(self) -> list[str]:
        return self.linear.names if self.linear.names == self.trees.names else []

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.linear(x) + self.trees(x)


@dataclass
class Model:
    ranker: Linear | Sum
    abstainer: Linear
    threshold: float = 0.5  # answer when the abstainer's probability is at least this
    trained: dict = field(default_factory=dict)  # on what, when, and the cross-validated figures
    # a card's chance of being useful: logistic weights of (score, ln(1 + place), 1), place 0
    # for the first; none in a model fitted without held-out pages (or an older file), whose
    # cards score exp(score - best)
    usefulness: list[float] | None = None

    def score(self, matrix: np.ndarray) -> np.ndarray:
        return self.ranker(matrix) if len(matrix) else np.zeros(0)

    def answer_probability(self, page: np.ndarray) -> float:
        return float(1 / (1 + math.exp(-float(self.abstainer(page)))))

    def useful(self, score: float, place: int, best: float) -> float:
        """What a card shows as its score (0..1): with a fitted calibration, the chance that
        it is useful (place: 0 for the page's best-scored candidate); without, exp(score -
        best), 1 for the first."""
        if not self.usefulness:
            return math.exp(score - best)
        a, b, c = self.usefulness
        z = a * score + b * math.log1p(place) + c
        return 1 / (1 + math.exp(-max(-50.0, min(50.0, z))))

    @classmethod
    def neutral(cls) -> "Model":
        """No learning: the first stage's own order, always answering. What training reads
        the judged pages with (it rescores them under every model it fits)."""
        first = {"lexical": 1.0, "coverage": 1.0, "title_cover": 1.0, "topical": 1.0}
        page = PAGE_FEATURES + PAGE_EXTRA
        return cls(Linear(list(FEATURES), [0.0] * len(FEATURES), [1.0] * len(FEATURES),
                          [first.get(f, 0.0) for f in FEATURES]),
                   Linear(list(page), [0.0] * len(page), [1.0] * len(page), [0.0] * len(page),
                          10.0), threshold=0.0)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = DEFAULT) -> "Model":
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            ranker = data["ranker"]
            ranker = Sum(Linear(**ranker["linear"]), Trees(**ranker["trees"])) \
                if "linear" in ranker else Linear(**ranker)
            model = cls(ranker=ranker, abstainer=Linear(**data["abstainer"]),
                        threshold=float(data["threshold"]), trained=data.get("trained", {}),
                        usefulness=data.get("usefulness"))
            if model.usefulness is not None and (
                    len(model.usefulness) != 3
                    or not np.isfinite(np.asarray(model.usefulness, dtype=np.float64)).all()):
                raise ValueError("its usefulness is not three numbers")
            # a model that would fail at the first page fails here, with its file's name
            probe = np.zeros((1, len(FEATURES)))
            if not np.isfinite(model.score(probe)).all() or not np.isfinite(
                    model.abstainer(np.zeros((1, len(PAGE_FEATURES + PAGE_EXTRA))))).all():
                raise ValueError("its weights are not all numbers")
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            raise ModelError(f"{path}: not a ranking model ({exc})") from exc
        if tuple(model.ranker.names) != FEATURES \
                or tuple(model.abstainer.names) != PAGE_FEATURES + PAGE_EXTRA:
            raise ModelError(f"{path}: made for other features; retrain it with `jitlearn "
                             f"train JUDGMENTS.jsonl --output {path}`")
        return model
