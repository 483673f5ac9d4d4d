"""Course packages: SCORM imsmanifest.xml and cmi5 cmi5.xml (title, description, structure).

Parsed with defusedxml: a manifest that declares external entities or a billion laughs is
refused, never resolved.
"""

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from ..documents import Document, UnreadableFile


def _parse(raw: bytes, what: str):
    try:
        return ElementTree.fromstring(raw, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise UnreadableFile(f"{what} declares a DTD or entities, refused for safety") from exc
    except ElementTree.ParseError as exc:
        raise UnreadableFile(f"not a readable {what} ({exc})") from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _texts(node, name: str) -> list[str]:
    """Texts of every descendant element called name, namespaces ignored, in document order."""
    out = []
    for el in node.iter():
        if _local(el.tag) == name:
            text = " ".join("".join(el.itertext()).split())
            if text:
                out.append(text)
    return out


def scorm(raw: bytes) -> list[Document]:
    root = _parse(raw, "SCORM manifest")
    titles = _texts(root, "title")
    if not titles:
        raise UnreadableFile("SCORM manifest has no title")
    descriptions = _texts(root, "description")
    structure = titles[1:]  # organisation, then items: the course outline
    return [Document(id="", source="", title=titles[0][:300], type="course",
                     body="\n".join(descriptions + structure),
                     summary=(descriptions[0] if descriptions else "")[:1000],
                     headings=structure[:50])]


def cmi5(raw: bytes) -> list[Document]:
    root = _parse(raw, "cmi5 course structure")
    course = next((el for el in root.iter() if _local(el.tag) == "course"), root)
    titles = _texts(course, "langstring")
    blocks = [t for el in root.iter() if _local(el.tag) in ("au", "block")
              for t in _texts(next((c for c in el if _local(c.tag) == "title"), el), "langstring")]
    title_el = next((c for c in course if _local(c.tag) == "title"), None)
    desc_el = next((c for c in course if _local(c.tag) == "description"), None)
    title = (_texts(title_el, "langstring") or titles or [""])[0]
    if not title:
        raise UnreadableFile("cmi5 course structure has no course title")
    description = (_texts(desc_el, "langstring") or [""])[0] if desc_el is not None else ""
    return [Document(id="", source="", title=title[:300], type="course",
                     body="\n".join([description, *blocks]), summary=description[:1000],
                     headings=blocks[:50])]
