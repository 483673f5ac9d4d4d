"""nlp: from a work context to topics (spaCy). Never imports Flask or the index."""

from .context import Context
from .pipeline import PipelineInfo, build_pipeline, build_tagger
from .rules import Rule, RuleError, load_rules
from .tagging import DocumentTagger
from .taxonomy import Taxonomy, TaxonomyError
from .topics import Topic, TopicExtractor

_default: TopicExtractor | None = None


def extract_topics(context: Context | dict) -> list[Topic]:
    """Topics of a context with the process-wide default pipeline (built on first use)."""
    global _default
    if _default is None:
        _default = TopicExtractor.build()
    if isinstance(context, dict):
        context = Context.from_dict(context)
    return _default.extract(context)


__all__ = ["Context", "DocumentTagger", "PipelineInfo", "Rule", "RuleError", "Taxonomy",
           "TaxonomyError", "Topic",
           "TopicExtractor", "build_pipeline", "build_tagger", "extract_topics", "load_rules"]
