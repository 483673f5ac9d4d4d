"""The work context a person is looking at, and the text the pipeline reads from it."""

import ipaddress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# How much a word counts by where it was seen: the title names the task, the selection is what
# the person pointed at, headings outline the page, the snippet is background.
FIELD_WEIGHTS = {"title": 3.0, "selection": 2.0, "headings": 1.5, "description": 1.0, "text": 1.0,
                 "site": 1.0}
# Page titles read "Subject - Site": the site or app name ("Google Docs", "Navan") is said by the
# URL rules already and would otherwise outweigh the subject it follows.
TITLE_SEPARATORS = (" - ", " | ", " · ", " — ", " – ")
SITE_MAX_WORDS = 3


@dataclass
class Context:
    """What the extension captured; every field is optional except that one must say something."""

    title: str = ""
    url: str = ""
    headings: list[str] = field(default_factory=list)
    selection: str = ""
    text: str = ""
    description: str = ""

    @classmethod
    def from_dict(cls, data: dict) -> "Context":
        return cls(
            title=data.get("title") or "",
            url=data.get("url") or "",
            headings=list(data.get("headings") or []),
            selection=data.get("selection") or "",
            text=data.get("text") or "",
            description=data.get("description") or "",
        )

    def sections(self) -> list[tuple[str, str]]:
        """(field, text) pairs in reading order, empty ones left out."""
        subject, site = split_title(self.title)
        parts = [("title", subject), ("site", site), ("selection", self.selection)]
        parts += [("headings", h) for h in self.headings]
        parts += [("description", self.description), ("text", self.text)]
        return [(name, text.strip()) for name, text in parts if text and text.strip()]

    def is_empty(self) -> bool:
        return not self.sections() and not self.url.strip()


def split_title(title: str) -> tuple[str, str]:
    """"Expense report - Navan" -> ("Expense report", "Navan"); a title without a site stays."""
    for sep in TITLE_SEPARATORS:
        head, found, tail = title.rpartition(sep)
        tail = tail.strip()
        # a site is a short name: "Navan", "Google Docs", "chess.com"; "storage cleanup" and
        # "IT onboarding checklist" are not
        words = tail.split()
        if found and head.strip() and 0 < len(words) <= SITE_MAX_WORDS \
                and all(w[0].isupper() or "." in w for w in words):
            return head, tail
    return title, ""


def site_names(context: Context) -> tuple[str, list[str]]:
    """Where the page is: the site's name from its title ("Expense report - Navan" -> "Navan")
    and the labels of its host that name something ("acme.zendesk.com" -> ["acme", "zendesk"]),
    without "www", the top-level domain or a country's second level ("gov.uk", "co.jp")."""
    try:
        host = (urlsplit(context.url.strip()).hostname or "") if context.url else ""
    except ValueError:  # a URL too broken to have a host
        host = ""
    try:
        ipaddress.ip_address(host)
        host = ""  # an address names nothing
    except ValueError:
        pass
    labels = [label for label in host.lower().split(".") if label]
    if len(labels) > 1:
        country = len(labels[-1]) == 2
        labels = labels[:-1]
        if country and len(labels) > 1 and len(labels[-1]) <= 3:
            labels = labels[:-1]
    words = [w for label in labels for w in label.split("-") if w and w != "www"]
    return split_title(context.title)[1], words


def layout(context: Context) -> tuple[str, list[tuple[int, int, str]]]:
    """Join the sections into one text (one per line) and remember where each field lies.

    Returns the text and (start_char, end_char, field) ranges, so a match can be weighed by the
    field it came from.
    """
    pieces, ranges, pos = [], [], 0
    for name, text in context.sections():
        text = " ".join(text.split())  # newlines inside a field would split sentences oddly
        pieces.append(text)
        ranges.append((pos, pos + len(text), name))
        pos += len(text) + 1
    return "\n".join(pieces), ranges


def field_at(ranges: list[tuple[int, int, str]], char: int) -> str:
    for start, end, name in ranges:
        if start <= char <= end:
            return name
    return "text"
