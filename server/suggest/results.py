"""What a suggestion request answers: the cards, the page's topics, and the personal signal."""

from dataclasses import asdict, dataclass, field

from index import SearchHit
from nlp import Topic


@dataclass
class Personal:
    """What a person's profile adds: topics they are building (0..1) and why, for the reasons."""

    topics: dict[str, float] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)

    def add(self, topic: str, weight: float, reason: str) -> None:
        if weight > self.topics.get(topic, 0.0):
            self.topics[topic], self.reasons[topic] = weight, reason

    def lifts(self, hits: list[SearchHit], page: set[str], min_fit: float
              ) -> list[tuple[float, str]]:
        """For each hit: how much the person is building what it builds on the page's subject
        (0 for nothing), and why.

        What one goal (or gap, or colleague's suggestion) names is one subject, whichever of
        its topics the page and the item are tagged with ("my first machine learning project":
        machine learning and AI): it is on the page when any of its topics is, and an item
        builds it once min_fit about any of them, and then as much as any other item does. How
        strongly an item is tagged says nothing of which of two such items is better, so the
        lift moves content on the goal past content off it and never reorders the two."""
        subjects: dict[str, list[str]] = {}  # reason -> its topics: one goal, gap, suggestion
        for topic, reason in self.reasons.items():
            subjects.setdefault(reason, []).append(topic)
        on_page = sorted(((max(self.topics[t] for t in topics), reason, topics)
                          for reason, topics in subjects.items() if not page.isdisjoint(topics)),
                         key=lambda s: -s[0])
        return [next(((weight, reason) for weight, reason, topics in on_page
                      if any(hit.topics.get(t, 0.0) >= min_fit for t in topics)), (0.0, ""))
                for hit in hits]


@dataclass
class Suggestion:
    id: str
    title: str
    url: str
    type: str
    summary: str
    score: float
    reasons: list[str] = field(default_factory=list)
    mandatory: bool = False
    source: str = ""  # where it comes from, and who keeps it
    owner: str = ""
    duration: int = 0  # minutes, when the source says (courses)
    changed: str | None = None  # YYYY-MM-DD: its own last-updated date, else when indexed

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Result:
    request_id: str
    topics: list[Topic]
    suggestions: list[Suggestion]
    abstained: str = ""  # why nothing was suggested, in words
    work: bool = False  # the abstainer says the page is work (whether or not cards follow)
    # why nothing was suggested, for the panel to say: QUIET's keys
    reason: str = ""

    def quiet(self, reason: str, confidence: float | None = None) -> None:
        """Nothing is suggested, for one of QUIET's reasons; confidence: the abstainer's."""
        if reason not in QUIET:
            raise ValueError(f"not a reason to be quiet: {reason!r}")
        self.reason = reason
        self.abstained = QUIET[reason]
        if confidence is not None:  # 0.003 is not "0.00": it is not nothing
            said = "below 0.01" if confidence < 0.01 else f"{confidence:.2f}"
            self.abstained += f" (confidence {said})"

    def to_dict(self) -> dict:
        return {"request_id": self.request_id,
                "topics": [{"id": t.id, "label": t.label, "weight": t.weight,
                            "evidence": t.evidence} for t in self.topics],
                "suggestions": [s.to_dict() for s in self.suggestions],
                "abstained": {"reason": self.reason, "message": self.abstained}
                if self.reason else None}


QUIET = {
    "no_match": "nothing in the library this person may see matches the page",
    "not_work": "the page does not look like work the library speaks to",
    "hidden": "what matches the person marked not relevant, done or snoozed (or acknowledged)",
}
