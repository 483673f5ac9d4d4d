"""Helpers the index tests share: a source folder written file by file, a tagger without a model."""


def fake_tagger(doc):
    return {"expenses": 0.9} if "expense" in doc.body.lower() else {}


def write(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path
