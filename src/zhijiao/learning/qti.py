"""QTI 3.0 packages (1EdTech Question and Test Interoperability 3.0): read items from one, write items into one.

A package is a zip with ``imsmanifest.xml`` whose ``<resource type="imsqti_item_xmlv3p0" href="…">`` entries name
``<qti-assessment-item>`` files. What is read, per item:

* ``qti-choice-interaction`` with ``max-choices="1"`` → 单选 (two choices 对/错, 正确/错误, True/False:
  判断), else 多选;
* ``qti-text-entry-interaction`` (one per blank) → 填空; the blank's correct value and its ``qti-mapping`` keys
  are the accepted answers;
* ``qti-extended-text-interaction`` → 解答题 (作文 when the item says ``data-type="essay"``); a ``qti-rubric-block``
  becomes the reference answer;
* ``qti-response-declaration``/``qti-correct-response`` → the answer; ``MAXSCORE`` (or the mapping's default,
  else 1 per blank) → the points;
* ``qti-modal-feedback`` (or ``qti-feedback-block``) → 解析;
* MathML ``<math>`` with a TeX annotation becomes ``$…$``; without one its text is kept.

What is written: the same elements (formulas stay as ``$…$`` text, as the editor has them), and on
``qti-item-body`` the item bank's own facts as ``data-*`` attributes (QTI 3 allows them on body elements):
``data-difficulty``, ``data-knowledge-points`` (codes), ``data-type``, ``data-partial``. Pure: no database; the
import service turns :class:`QtiItem` rows into items.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET
from xml.sax.saxutils import quoteattr

NS = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
ITEM_TYPE = "imsqti_item_xmlv3p0"
MAX_MEMBER = 2 * 1024 * 1024
MAX_ITEMS = 2000
TRUE_TEXTS = {"对", "正确", "true", "√"}
FALSE_TEXTS = {"错", "错误", "false", "×"}


class QtiError(ValueError):
    """A package or item that cannot be read, with a Chinese reason."""


@dataclass
class QtiItem:
    identifier: str
    type: str = ""
    stem: str = ""
    options: list[str] = field(default_factory=list)
    answer: list = field(default_factory=list)
    points: str = "1"
    explanation: str = ""
    reference_answer: str = ""
    difficulty: str = ""
    knowledge_points: list[str] = field(default_factory=list)
    partial: str = ""
    problem: str = ""  # why it could not be read ("" = fine)
    href: str = ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _safe_parse(data: bytes) -> ET.Element:
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise QtiError("文件中含有 DOCTYPE/ENTITY 声明，出于安全原因不予读取")
    try:
        # No DTD or entity can reach the parser (refused above), so neither entity expansion nor external
        # references apply; expat (2.4+) also caps amplification.
        return ET.fromstring(data)  # noqa: S314
    except ET.ParseError as exc:
        raise QtiError(f"不是有效的 XML（{exc}）") from None


def _text(el: ET.Element, skip: frozenset[str] = frozenset()) -> str:
    """The element's text with formulas as ``$…$``, interactions left out (``skip``), blocks as new lines."""
    parts: list[str] = []

    def walk(node: ET.Element) -> None:
        name = _local(node.tag)
        if name in skip:
            if name == "qti-text-entry-interaction":
                parts.append("____")
        elif name == "math":
            tex = next(
                (
                    a.text
                    for a in node.iter()
                    if _local(a.tag) == "annotation" and "tex" in (a.get("encoding") or "").lower()
                ),
                None,
            )
            parts.append(f"${(tex or ''.join(node.itertext())).strip()}$")
        else:
            if node.text:
                parts.append(node.text)
            for child in node:
                walk(child)
                if child.tail:
                    parts.append(child.tail)
            if name in ("p", "div", "br", "li") and parts and not parts[-1].endswith("\n"):
                parts.append("\n")
            return
        # skipped or math: its tail is added by the caller

    walk(el)
    text = "".join(parts)
    return re.sub(r"[ \t]*\n\s*", "\n", text).strip()


INTERACTIONS = frozenset(
    {
        "qti-choice-interaction",
        "qti-text-entry-interaction",
        "qti-extended-text-interaction",
        "qti-rubric-block",
        "qti-prompt",
    }
)


def _values(decl: ET.Element) -> list[str]:
    return [
        (v.text or "").strip()
        for c in decl
        if _local(c.tag) == "qti-correct-response"
        for v in c
        if _local(v.tag) == "qti-value"
    ]


def parse_item(data: bytes, identifier_hint: str = "") -> QtiItem:
    root = _safe_parse(data)
    if _local(root.tag) != "qti-assessment-item":
        raise QtiError("根元素不是 qti-assessment-item（只支持 QTI 3.0）")
    item = QtiItem(identifier=root.get("identifier") or identifier_hint)
    decls = {d.get("identifier"): d for d in root if _local(d.tag) == "qti-response-declaration"}
    for od in root:
        if _local(od.tag) == "qti-outcome-declaration" and od.get("identifier") == "MAXSCORE":
            vals = [v.text for v in od.iter() if _local(v.tag) == "qti-value"]
            if vals and vals[0]:
                item.points = vals[0].strip()
    body = next((c for c in root if _local(c.tag) == "qti-item-body"), None)
    if body is None:
        raise QtiError("缺少 qti-item-body")
    item.difficulty = body.get("data-difficulty", "")
    item.knowledge_points = (body.get("data-knowledge-points") or "").split()
    item.partial = body.get("data-partial", "")
    declared_type = body.get("data-type", "")
    choices = [e for e in body.iter() if _local(e.tag) == "qti-choice-interaction"]
    entries = [e for e in body.iter() if _local(e.tag) == "qti-text-entry-interaction"]
    extended = [e for e in body.iter() if _local(e.tag) == "qti-extended-text-interaction"]
    prompt_parts = [_text(p) for i in choices + extended for p in i if _local(p.tag) == "qti-prompt"]
    stem = _text(body, INTERACTIONS)
    item.stem = "\n".join(x for x in [stem, *prompt_parts] if x)
    if choices:
        interaction = choices[0]
        simple = [c for c in interaction if _local(c.tag) == "qti-simple-choice"]
        keys = [c.get("identifier", "") for c in simple]
        texts = [_text(c) for c in simple]
        decl = decls.get(interaction.get("response-identifier"))
        correct = _values(decl) if decl is not None else []
        lowered = [t.lower() for t in texts]
        if len(simple) == 2 and lowered[0] in TRUE_TEXTS | FALSE_TEXTS and lowered[1] in TRUE_TEXTS | FALSE_TEXTS:
            item.type = "true_false"
            right = [texts[keys.index(c)] for c in correct if c in keys]
            item.answer = ["T" if right and right[0].lower() in TRUE_TEXTS else "F"] if right else []
        else:
            single = interaction.get("max-choices", "1") == "1" and declared_type != "multiple"
            item.type = "single" if single else "multiple"
            item.options = texts
            letters = "ABCDEFGH"
            item.answer = [letters[keys.index(c)] for c in correct if c in keys and keys.index(c) < len(letters)]
    elif entries:
        item.type = "blank"
        for entry in entries:
            decl = decls.get(entry.get("response-identifier"))
            accepted = _values(decl) if decl is not None else []
            if decl is not None:
                for m in decl.iter():
                    if _local(m.tag) == "qti-map-entry" and m.get("map-key") and m.get("map-key") not in accepted:
                        accepted.append(m.get("map-key", ""))
            item.answer.append(accepted)
        if not any(_local(od.tag) == "qti-outcome-declaration" and od.get("identifier") == "MAXSCORE" for od in root):
            item.points = str(len(entries))
    elif extended:
        item.type = "essay" if declared_type == "essay" else "open"
    else:
        raise QtiError("没有可识别的作答方式（支持选择、填空、问答三种交互）")
    rubric = [e for e in body.iter() if _local(e.tag) == "qti-rubric-block"]
    if rubric:
        item.reference_answer = "\n".join(_text(r) for r in rubric)
    feedback = [e for e in root.iter() if _local(e.tag) in ("qti-modal-feedback", "qti-feedback-block")]
    if feedback:
        item.explanation = "\n".join(_text(f) for f in feedback)
    return item


def read_package(data: bytes) -> list[QtiItem]:
    """Every item the manifest names, in its order; an unreadable item comes back with ``problem`` set."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise QtiError("不是有效的 zip 压缩包") from None
    names = {n.replace("\\", "/").lstrip("/"): n for n in zf.namelist()}
    if "imsmanifest.xml" not in names:
        raise QtiError("压缩包根目录下没有 imsmanifest.xml")
    manifest = _safe_parse(_member(zf, names["imsmanifest.xml"]))
    hrefs = [
        r.get("href", "")
        for r in manifest.iter()
        if _local(r.tag) == "resource" and (r.get("type") or "").startswith("imsqti_item_xmlv3p0")
    ]
    if not hrefs:
        raise QtiError("清单中没有 QTI 3.0 试题（type=imsqti_item_xmlv3p0）")
    if len(hrefs) > MAX_ITEMS:
        raise QtiError(f"一次最多导入 {MAX_ITEMS} 道题")
    items = []
    for href in hrefs:
        path = href.replace("\\", "/").lstrip("/")
        if path not in names:
            items.append(QtiItem(identifier=path, href=path, problem="清单中列出的文件不在压缩包里"))
            continue
        try:
            item = parse_item(_member(zf, names[path]), identifier_hint=path)
        except QtiError as exc:
            item = QtiItem(identifier=path, problem=str(exc))
        item.href = path
        items.append(item)
    return items


def _member(zf: zipfile.ZipFile, name: str) -> bytes:
    info = zf.getinfo(name)
    if info.file_size > MAX_MEMBER:
        raise QtiError(f"{name} 超过 {MAX_MEMBER // 1024 // 1024} MB")
    return zf.read(name)


# ---- writing ----------------------------------------------------------------------------------------------------


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _sub(parent: ET.Element, tag: str, attrs: dict[str, str] | None = None, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, _q(tag), attrs or {})
    if text is not None:
        el.text = text
    return el


def _para(parent: ET.Element, text: str) -> None:
    for line in text.split("\n"):
        _sub(parent, "p", text=line)


def _correct(parent: ET.Element, identifier: str, cardinality: str, base: str, values: list[str]) -> ET.Element:
    decl = _sub(
        parent,
        "qti-response-declaration",
        {"identifier": identifier, "cardinality": cardinality, "base-type": base},
    )
    cr = _sub(decl, "qti-correct-response")
    for v in values:
        _sub(cr, "qti-value", text=v)
    return decl


def _declarations(root: ET.Element, item: QtiItem) -> None:
    if item.type in ("single", "multiple"):
        _correct(root, "RESPONSE", "single" if item.type == "single" else "multiple", "identifier", list(item.answer))
    elif item.type == "true_false":
        _correct(root, "RESPONSE", "single", "identifier", ["T" if item.answer == ["T"] else "F"])
    elif item.type == "blank":
        for i, accepted in enumerate(item.answer, start=1):
            decl = _correct(root, f"RESPONSE{i}", "single", "string", accepted[:1])
            mapping = _sub(decl, "qti-mapping", {"default-value": "0"})
            for a in accepted:
                _sub(mapping, "qti-map-entry", {"map-key": a, "mapped-value": "1"})
    else:
        _sub(
            root, "qti-response-declaration", {"identifier": "RESPONSE", "cardinality": "single", "base-type": "string"}
        )
    float_outcome = {"cardinality": "single", "base-type": "float"}
    _sub(root, "qti-outcome-declaration", {"identifier": "SCORE", **float_outcome})
    maxscore = _sub(root, "qti-outcome-declaration", {"identifier": "MAXSCORE", **float_outcome})
    _sub(_sub(maxscore, "qti-default-value"), "qti-value", text=item.points)
    if item.explanation:
        _sub(
            root,
            "qti-outcome-declaration",
            {"identifier": "FEEDBACK", "cardinality": "single", "base-type": "identifier"},
        )


def _body(root: ET.Element, item: QtiItem) -> None:
    body = _sub(root, "qti-item-body", {"data-type": item.type})
    if item.difficulty:
        body.set("data-difficulty", item.difficulty)
    if item.knowledge_points:
        body.set("data-knowledge-points", " ".join(item.knowledge_points))
    if item.partial and item.type == "multiple":
        body.set("data-partial", item.partial)
    if item.type == "blank":
        n = 0
        for line in item.stem.split("\n"):
            p = _sub(body, "p")
            pieces = line.split("____")
            p.text = pieces[0]
            for piece in pieces[1:]:
                n += 1
                _sub(p, "qti-text-entry-interaction", {"response-identifier": f"RESPONSE{n}"}).tail = piece
        while n < len(item.answer):  # blanks not marked in the stem: one entry each at the end
            n += 1
            _sub(_sub(body, "p"), "qti-text-entry-interaction", {"response-identifier": f"RESPONSE{n}"})
    else:
        _para(body, item.stem)
    if item.type in ("single", "multiple", "true_false"):
        max_choices = "0" if item.type == "multiple" else "1"
        ci = _sub(body, "qti-choice-interaction", {"response-identifier": "RESPONSE", "max-choices": max_choices})
        if item.type == "true_false":
            pairs = [("T", "对"), ("F", "错")]
        else:
            pairs = list(zip("ABCDEFGH", item.options, strict=False))
        for key, text in pairs:
            _sub(ci, "qti-simple-choice", {"identifier": key}, text=text)
    elif item.type in ("open", "essay"):
        _sub(body, "qti-extended-text-interaction", {"response-identifier": "RESPONSE"})
        if item.reference_answer:
            rubric = _sub(body, "qti-rubric-block", {"use": "scoring", "view": "scorer"})
            _para(_sub(rubric, "qti-content-body"), item.reference_answer)


def write_item(item: QtiItem) -> bytes:
    """One ``qti-assessment-item`` (QTI 3.0), UTF-8 with its XML declaration."""
    ET.register_namespace("", NS)
    root = ET.Element(
        _q("qti-assessment-item"),
        {
            "identifier": item.identifier,
            "title": item.stem[:40].replace("\n", " "),
            "adaptive": "false",
            "time-dependent": "false",
            "xml:lang": "zh-CN",
        },
    )
    _declarations(root, item)
    _body(root, item)
    templates = {
        "single": "match_correct",
        "multiple": "match_correct",
        "true_false": "match_correct",
        "blank": "map_response",
    }
    if item.type in templates:
        url = f"https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/{templates[item.type]}.xml"
        _sub(root, "qti-response-processing", {"template": url})
    if item.explanation:
        feedback = _sub(
            root,
            "qti-modal-feedback",
            {"identifier": "EXPLANATION", "title": "解析", "outcome-identifier": "FEEDBACK", "show-hide": "show"},
        )
        _para(_sub(feedback, "qti-content-body"), item.explanation)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


def write_package(items: list[QtiItem]) -> bytes:
    """A QTI 3.0 content package: ``imsmanifest.xml`` and ``items/<identifier>.xml`` per item."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<manifest xmlns="{CP_NS}" identifier="zhijiao-items">',
        "  <organizations/>",
        "  <resources>",
    ]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for item in items:
            href = f"items/{item.identifier}.xml"
            lines.append(
                f'    <resource identifier={quoteattr(item.identifier)} type="{ITEM_TYPE}" href={quoteattr(href)}>'
                f"<file href={quoteattr(href)}/></resource>"
            )
            zf.writestr(href, write_item(item))
        lines += ["  </resources>", "</manifest>", ""]
        zf.writestr("imsmanifest.xml", "\n".join(lines).encode())
    return out.getvalue()


TEST_TYPE = "imsqti_test_xmlv3p0"


def write_test_package(*, identifier: str, title: str, sections: list[tuple[str, list[QtiItem]]]) -> bytes:
    """A paper as a QTI 3.0 package: ``assessment-test.xml`` (one ``qti-assessment-test``, one test part, a
    ``qti-assessment-section`` per 大题 with ``qti-assessment-item-ref``s in order, SCORE summed over the items) and
    ``items/<identifier>.xml`` per item, each with the points it has on this paper as its MAXSCORE."""
    ET.register_namespace("", NS)
    items = [item for _, section in sections for item in section]
    total = sum(float(item.points) for item in items)
    root = ET.Element(_q("qti-assessment-test"), {"identifier": identifier, "title": title, "xml:lang": "zh-CN"})
    for name, default in (("SCORE", "0"), ("MAXSCORE", f"{total:g}")):
        decl = _sub(
            root, "qti-outcome-declaration", {"identifier": name, "cardinality": "single", "base-type": "float"}
        )
        _sub(_sub(decl, "qti-default-value"), "qti-value", text=default)
    part = _sub(
        root,
        "qti-test-part",
        {"identifier": "part-1", "navigation-mode": "nonlinear", "submission-mode": "simultaneous"},
    )
    for n, (name, section) in enumerate(sections, start=1):
        sec = _sub(part, "qti-assessment-section", {"identifier": f"section-{n}", "title": name, "visible": "true"})
        for item in section:
            _sub(
                sec, "qti-assessment-item-ref", {"identifier": item.identifier, "href": f"items/{item.identifier}.xml"}
            )
    processing = _sub(root, "qti-outcome-processing")
    total_score = _sub(_sub(processing, "qti-set-outcome-value", {"identifier": "SCORE"}), "qti-sum")
    _sub(total_score, "qti-test-variables", {"variable-identifier": "SCORE"})
    ET.indent(root)
    test_xml = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<manifest xmlns="{CP_NS}" identifier={quoteattr(identifier)}>',
        "  <organizations/>",
        "  <resources>",
        f'    <resource identifier={quoteattr(identifier)} type="{TEST_TYPE}" href="assessment-test.xml">'
        '<file href="assessment-test.xml"/>'
        + "".join(f"<dependency identifierref={quoteattr(item.identifier)}/>" for item in items)
        + "</resource>",
    ]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("assessment-test.xml", test_xml)
        for item in items:
            href = f"items/{item.identifier}.xml"
            lines.append(
                f'    <resource identifier={quoteattr(item.identifier)} type="{ITEM_TYPE}" href={quoteattr(href)}>'
                f"<file href={quoteattr(href)}/></resource>"
            )
            zf.writestr(href, write_item(item))
        lines += ["  </resources>", "</manifest>", ""]
        zf.writestr("imsmanifest.xml", "\n".join(lines).encode())
    return out.getvalue()
