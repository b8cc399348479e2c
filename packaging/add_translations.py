"""Add finished English translations to resources/translations/loyalty_en.ts and rebuild the .qm.

    python packaging/add_translations.py CONTEXT "Türkçe kaynak" "English" [CONTEXT src en ...]

Existing messages are updated in place; the .qm is rebuilt with pyside6-lrelease.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TS = ROOT / "resources" / "translations" / "loyalty_en.ts"


def add(triples: list[tuple[str, str, str]]) -> None:
    """Put each (context, source, translation) into the .ts file."""
    tree = ET.parse(TS)
    root = tree.getroot()
    contexts = {c.findtext("name"): c for c in root.iter("context")}
    for context, source, english in triples:
        ctx = contexts.get(context)
        if ctx is None:
            ctx = ET.SubElement(root, "context")
            ET.SubElement(ctx, "name").text = context
            contexts[context] = ctx
        for message in ctx.iter("message"):
            if message.findtext("source") == source:
                translation = message.find("translation")
                translation.attrib.pop("type", None)
                translation.text = english
                break
        else:
            message = ET.SubElement(ctx, "message")
            ET.SubElement(message, "source").text = source
            ET.SubElement(message, "translation").text = english
    ET.indent(tree, space="    ")
    TS.write_text("<?xml version='1.0' encoding='utf-8'?>\n"
                  + ET.tostring(root, encoding="unicode") + "\n", encoding="utf-8")
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    subprocess.run([str(lrelease), str(TS), "-qm", str(TS.with_suffix(".qm"))], check=True,
                   capture_output=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or len(args) % 3:
        raise SystemExit(__doc__)
    add([tuple(args[i:i + 3]) for i in range(0, len(args), 3)])  # type: ignore[misc]
