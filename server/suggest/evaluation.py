"""`jitlearn eval`: run judged contexts through the engine and score them (shared metrics)."""

import json
import math
import time
from collections.abc import Callable
from pathlib import Path

from nlp import Context
from nlp.redact import redact_context
from server.suggest.engine import Engine
from server.suggest.results import Personal


def load_judgments(path: Path) -> list[dict]:
    judgments = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            j = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from exc
        if not isinstance(j, dict) or "id" not in j or not isinstance(j.get("context"), dict):
            raise ValueError(f"{path}:{n}: a judgment needs an id and a context object")
        judgments.append(j)
    if not judgments:
        raise ValueError(f"{path}: no judgments")
    return judgments


def load_run(path: Path) -> dict[str, list[str]]:
    """A run file (one {"id", "ranked"} object per line): id -> ranked ids."""
    runs = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            runs[str(row["id"])] = [str(d) for d in row["ranked"]]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: a run line is an object with id and ranked") \
                from exc
    return runs


def run_eval(engine: Engine, judgments: Path | list[dict], output: Path | None = None,
             personalize: Callable[[dict], Personal | None] | None = None,
             limit: int = 10, runs: dict[str, list[str]] | None = None) -> dict:
    """judgments: a JSONL file, or the judgments read from one. personalize: a judgment's
    profile -> the personal signal, as the API builds one (None: profiles are not applied).
    runs: a dict to receive each page's ranked ids."""
    if isinstance(judgments, Path):
        judgments = load_judgments(judgments)
    runs = {} if runs is None else runs
    latencies, lines = [], []
    for j in judgments:
        started = time.perf_counter()
        profile = j.get("profile")
        personal = personalize(profile) if personalize and isinstance(profile, dict) else None
        context = redact_context(Context.from_dict(j["context"]))  # as the API reads it
        result = engine.suggest(context, limit=limit, personal=personal)
        ms = (time.perf_counter() - started) * 1000
        ranked = [s.id for s in result.suggestions][:10]
        runs[j["id"]] = ranked
        latencies.append(ms)
        lines.append({"id": j["id"], "ranked": ranked, "latency_ms": round(ms, 2)})
    if output:
        output.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    metrics = score(judgments, runs)
    latencies.sort()
    metrics["latency_ms_p50"] = round(latencies[len(latencies) // 2], 1)
    metrics["latency_ms_p95"] = round(latencies[min(len(latencies) - 1,
                                                    math.ceil(len(latencies) * 0.95) - 1)], 1)
    return metrics


def condensed(judgments: list[dict], runs: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each work page's ranked ids without the documents nobody judged for it (a condensed
    list, Sakai 2007): what compares two orderings of one engine fairly when one of them
    brings up documents the judges never saw, which plain scoring counts as useless. An
    off-work page's list is kept whole (any answer there is wrong)."""
    judged = {j["id"]: j.get("relevant") or {} for j in judgments if not j.get("expect_empty")}
    return {i: [d for d in ranked if d in judged[i]] if i in judged else ranked
            for i, ranked in runs.items()}


def _dcg(gains: list[int]) -> float:
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def score(judgments: list[dict], runs: dict[str, list[str]], k: int = 5) -> dict:
    """nDCG@k, P@1, recall@10, abstain accuracy and answer rate (the evaluation README)."""
    ndcg, p1, r10, abstain, answered = [], [], [], [], []
    for j in judgments:
        ranked, rel = runs.get(j["id"], []), j.get("relevant") or {}
        if j.get("expect_empty"):
            abstain.append(0.0 if ranked else 1.0)
            continue
        answered.append(1.0 if ranked else 0.0)
        ideal = sorted(rel.values(), reverse=True)[:k]
        ndcg.append(_dcg([rel.get(d, 0) for d in ranked[:k]]) / _dcg(ideal) if ideal else 0.0)
        p1.append(1.0 if ranked and rel.get(ranked[0], 0) >= 2 else 0.0)
        good = {d for d, g in rel.items() if g >= 2}
        r10.append(len(good & set(ranked[:10])) / len(good) if good else 0.0)

    def mean(xs):
        return round(sum(xs) / len(xs), 4) if xs else None

    return {"contexts": len(judgments), f"ndcg@{k}": mean(ndcg), "p@1": mean(p1),
            "recall@10": mean(r10), "abstain_accuracy": mean(abstain),
            "answer_rate": mean(answered)}
