"""Links between documents: how many pages of a library point at a page says it is canonical.

Handbooks and policy sites are densely linked, and the pages people are sent to ("Leave types",
"Procurement", "Data classification standard") are the ones everything links to. Counting the
pages that link to a page is a coarse PageRank; it needs no crawl, only the text we ingest.
Links are matched on a *path key*, the last two segments of a path without extension or index
file name, so "/handbook/finance/procurement/", "../procurement/_index.md" and
"https://handbook.example.com/handbook/finance/procurement" all name "finance/procurement".
"""

import re

LINK = re.compile(r"\]\(\s*<?([^)\s>]+)|href=[\"']([^\"']+)[\"']|\{\{<\s*ref\s+\"([^\"]+)\"")
EXTENSION = re.compile(r"\.(md|markdown|mdx|html?|txt)(\.(erb|tmpl))?$", re.I)
INDEX_FILE = re.compile(r"/(_?index|readme)$", re.I)
MAX_LINKS = 500  # a link list page is not a thousand votes


def _segments(path: str) -> list[str]:
    """A link target, an address or a file path -> its folders and page name, without the
    host, the extension or an index file's name ("a/b/_index.md" is the page of folder b)."""
    path = re.sub(r"^[a-z][a-z0-9+.-]*://[^/]+", "", path.strip(), flags=re.I)
    path = path.split("#")[0].split("?")[0].rstrip("/")
    path = INDEX_FILE.sub("", EXTENSION.sub("", path))
    return [p for p in path.split("/") if p and p not in (".", "..")]


def path_key(path: str) -> str:
    """A link target or a file path -> "folder/page" (lower case), "" when nothing is left."""
    return "/".join(_segments(path)[-2:]).lower()


def depth(path: str) -> int:
    """How many folders a page sits under in its library: a library's broad pages sit near
    its root, and the deeper a page the narrower its audience (one team, one project)."""
    return max(len(_segments(path)) - 1, 0)


def path_words(doc_id: str) -> str:
    """'gitlab:handbook/finance/time-off_types.md' -> 'handbook finance time off types'."""
    path = doc_id.split(":", 1)[-1].rsplit(".", 1)[0]
    return re.sub(r"[^0-9A-Za-z]+", " ", path).strip()


def link_keys(text: str) -> list[str]:
    """Distinct path keys of the links in Markdown or HTML text, mailto and anchors left out."""
    keys = []
    for match in LINK.finditer(text):
        target = next(g for g in match.groups() if g)
        if target.startswith(("mailto:", "#", "tel:")):
            continue
        key = path_key(target)
        if key and key not in keys:
            keys.append(key)
            if len(keys) == MAX_LINKS:
                break
    return keys
