"""Does the engine know when to answer in a library of any size? (`make eval`, second table.)

Each source of the reference corpus (a real organisation's handbook, policies or courses, from
5 to 4,000 documents) is taken as a library of its own, and the dev pages are read against it:
a work page with a document graded 2 or more in that source should be answered, an off-work page
should not; a work page the source has nothing judged for is left out (nobody said whether that
library speaks to it). The workplace word table a small library leans on (nlp/background.py) is
rebuilt without the source under test, so no library is measured with its own words.

    .venv/bin/python bench/libraries.py ../shared/eval/dev.jsonl   (JITLEARN_HOME: the corpus)
"""

import argparse
import copy
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from index.latest import Latest
from index.profiles import Profiles
from nlp import Context, background
from nlp.redact import redact_context
from server.cli.base import command_app
from server.runtime import engine_of
from server.suggest.engine import Engine

BANDS = ((5, 50), (50, 300), (300, 100_000))


def without(full: Profiles, part: Profiles, sources: dict[str, int]) -> background.Workplace:
    """The workplace table of the full library less one source's documents (part)."""
    uses = {t: float(full.uses[k]) - part.uses_of(t) for t, k in full.term_ids.items()}
    return background.Workplace.of_counts(
        uses, {t: n - (t in part.term_ids) for t, n in sources.items()},
        full.words - part.words)


def term_sources(parts: dict[str, Profiles]) -> dict[str, int]:
    """In how many sources each term occurs, from each source's own profiles."""
    count: dict[str, int] = defaultdict(int)
    for profiles in parts.values():
        for term in profiles.term_ids:
            count[term] += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("judgments", type=Path)
    args = parser.parse_args()
    judged = [json.loads(line) for line in args.judgments.read_text().splitlines() if line]
    app = command_app()
    engine = engine_of(app)
    index = engine.index
    full = index.profiles()
    with index.ix.searcher() as s:
        stored = list(s.all_stored_fields())
    rows: dict[str, list[dict]] = defaultdict(list)
    for row in stored:
        rows[row.get("source", "")].append(row)
    parts = {src: Profiles(r, index.analyze) for src, r in sorted(rows.items())}
    sources = term_sources(parts)  # over every source, as the shipped table counts them
    parts = {src: part for src, part in parts.items() if part.n >= BANDS[0][0]}
    shipped = background.workplace
    tally: dict[tuple[int, int], list[list[bool]]] = {band: [[], []] for band in BANDS}
    try:
        for n, (src, part) in enumerate(parts.items(), 1):
            table = without(full, part, sources)
            background.workplace = lambda table=table: table
            library = copy.copy(index)
            library.latest = Latest(index.ix, index.analyze)
            library.latest.current = (index.ix.latest_generation(), part)
            reader = Engine(engine.extractor, library, engine.settings, engine.model)
            band = next(b for b in BANDS if b[0] <= part.n < b[1])
            for j in judged:
                graded = max((g for d, g in (j.get("relevant") or {}).items()
                              if d.split(":", 1)[0] == src), default=0)
                work = not j.get("expect_empty")
                if work and graded < 2:
                    continue
                page = reader.read(redact_context(Context.from_dict(j["context"])))
                answered = page.answer >= engine.model.threshold
                tally[band][work].append(answered if work else not answered)
            if sys.stderr.isatty():
                print(f"\r{n}/{len(parts)} libraries", end="", file=sys.stderr, flush=True)
    finally:
        background.workplace = shipped
        engine.use_index(index)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print("| library size (documents) | libraries | work pages it has a graded document for "
          "| answered | off-work pages | quiet |")
    print("|---|---|---|---|---|---|")
    for (lo, hi), (off, work) in tally.items():
        count = sum(lo <= p.n < hi for p in parts.values())
        print(f"| {lo}-{hi - 1 if hi < 100_000 else ''} | {count} | {len(work)} | "
              f"{np.mean(work):.3f} | {len(off)} | {np.mean(off):.3f} |")


if __name__ == "__main__":
    main()
