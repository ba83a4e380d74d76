"""Where everything on one label goes: the QR, the lines of text, a band.

Everything stays inside the format's safe area (Format.safe_area): a die-cut
label sits a little off the printed page, and a label printer cannot print the
ends of its tape. The QR is as large as the label's height allows (qr_box);
text fills the room to its right. What does not fit is cut with an ellipsis,
and `fit` says so, so the print page can warn before anything is printed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from . import text
from .formats import Format
from .qr import QUIET_ZONE, symbol
from .text import SANS

# A phone reads from its camera preview, about 1,920 pixels across a field some
# 1.4 times as wide as the distance, and wants 3.5 pixels or more per module:
# modules under 0.55 mm need it within about 20 cm. So it is on the smallest
# sheets (Avery 5167, L4732), whatever the layout does.
SMALL_MODULE_MM = 0.55
ORG_MIN_HEIGHT_MM = 25  # below that, 2 mm type is barely legible: QR, code, name, tag
CAP = 0.76  # how far DejaVu capitals and ascenders rise above the baseline, in em
DESCENT = 0.24  # how far descenders drop below it


@dataclass(frozen=True)
class Label:
    """What one label shows. `url` goes into the QR; `code` is printed large;
    `tag` is an older identifier (an external asset tag) printed small; a
    `kind` of "location" gets a band and the place's name large. `fields` are
    custom fields' lines ("Voltage: 230"), each printed on one line where the
    label has room."""

    url: str
    code: str
    name: str = ""
    tag: str = ""
    kind: str = "asset"
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Line:
    x: float
    y: float  # baseline
    size: float
    text: str
    role: str  # code, name, tag, field, org, kind
    family: str = SANS  # not text.SANS: the field `text` above hides the module here
    bold: bool = False
    fill: str = "#000"


@dataclass
class Drawing:
    lines: list[Line] = field(default_factory=list)
    bands: list[tuple[float, float, float, float]] = field(default_factory=list)  # x, y, w, h
    org: str = ""  # "", "printed", "cut" or "left off"
    tag_cut: bool = False
    fields_lost: tuple[str, ...] = ()  # custom field lines cut or left off


def qr_box(fmt: Format, modules: int = 29) -> tuple[float, float, float]:
    """The QR's top-left corner (mm from the label's) and its side, quiet zone
    included, for a symbol `modules` across (quiet zone included; 29 is a
    version-2 symbol, what a typical public address gives).

    As large as two rules allow: its dark modules stay inside the safe area,
    like all ink; its white quiet zone may reach into the safe margin, but no
    nearer the edge than half of it, so that most of it stays on the label
    when the print lands a little off. On a wide label it takes at most 60 %
    of the safe width, so that the code beside it stays legible. The module
    is rounded down to a thousandth of a millimetre, as the drawing writes it.
    """
    w, h = fmt.label_width_mm, fmt.label_height_mm
    sx, sy = fmt.safe_x_mm, fmt.safe_y_mm
    dark = (modules - 2 * QUIET_ZONE) / modules  # of the side, what is ink
    across = min((w - 2 * sx) / dark, w - sx) * (0.6 if fmt.layout == "wide" else 1.0)
    side = min((h - 2 * sy) / dark, h - sy, across)
    module = math.floor(side / modules * 1000) / 1000
    side = module * modules
    return max(sx / 2, sx - QUIET_ZONE * module), (h - side) / 2, side


def module_mm(fmt: Format, url: str) -> float:
    """The printed size of one QR module for `url` on `fmt`."""
    size = symbol(url).size
    return qr_box(fmt, size)[2] / size


def pretty_code(code: str) -> str:
    return code if len(code) != 6 else f"{code[:3]}-{code[3:]}"


def _chars(value: str, size: float, room: float, lines: int) -> list[str]:
    """Up to `lines` lines of `value` broken anywhere (a tag has no spaces to
    break at), the last one cut if needed."""
    value = text.clean(value)
    out: list[str] = []
    while value and len(out) < lines - 1:
        n = len(value)
        while n > 1 and text.width(value[:n], size, text.MONO) > room:
            n -= 1
        out.append(value[:n])
        value = value[n:]
    if value:
        out.append(text.fit(value, size, room, text.MONO))
    return [line for line in out if line]


def _cut(lines: list[str], whole: str) -> bool:
    return "".join(lines).replace(" ", "") != text.clean(whole).replace(" ", "")


def plan(label: Label, fmt: Format, org_line: str = "") -> Drawing:
    """The lines and bands of one label, in mm from its top-left corner."""
    left, top, right, bottom = fmt.safe_area
    qx, _, side = qr_box(fmt, symbol(label.url).size)
    h = fmt.label_height_mm
    x0 = qx + side + max(0.8, h * 0.03)
    room = right - x0
    out = Drawing()
    org_line = text.clean(org_line)
    fields = [line for line in map(text.clean, label.fields) if line]
    tiny = fmt.layout == "tiny"
    if org_line and (tiny or h < ORG_MIN_HEIGHT_MM):
        out.org = "left off"
    if room < 4:
        out.fields_lost = tuple(fields)
        return out  # too narrow for text: the QR alone
    code = pretty_code(label.code)
    per_em = text.width(code, 1.0, text.MONO, True) or 1
    if label.kind == "location":
        footer = bool(org_line and not out.org)
        biggest = min(h * 0.2, 7.5)
        while True:  # the name as large as it can be with the footer whole
            drawing = Drawing(org=out.org)
            args = (label, code, per_em, x0, room, top, bottom, h, tiny, 2 if footer else 3)
            _location(drawing, *args, biggest)
            if footer:
                _org(drawing, org_line, x0, room, _floor(drawing), bottom, min(h * 0.095, 2.6))
            if drawing.org != "cut" or biggest <= h * 0.12:
                return drawing
            biggest *= 0.9
    if tiny:
        size = min(h * 0.42, room / per_em, (bottom - top) / (CAP + DESCENT))
        baseline = (top + bottom) / 2 + size * (CAP - DESCENT) / 2
        out.lines.append(Line(x0, baseline, size, code, "code", text.MONO, True))
        out.tag_cut = bool(label.tag)  # no room for it
        out.fields_lost = tuple(fields)
        return out
    size = min(h * 0.24, room / per_em)
    y = top + CAP * size
    out.lines.append(Line(x0, y, size, code, "code", text.MONO, True))
    name_size = min(h * 0.13, 3.6, size * 0.8)
    tag_size = min(name_size * 0.85, 3.0)
    if label.tag:  # a tag on one line, a little smaller, reads better than broken in two
        tag_size = min(tag_size, max(1.8, room / (text.width(label.tag, 1.0, text.MONO) or 1)))
    org_size = min(h * 0.095, 2.6, name_size * 0.85)
    field_size = min(tag_size, org_size * 1.1)
    names = text.wrap(label.name, name_size, room, 99) if label.name else []
    tags = _chars(label.tag, tag_size, room, 99) if label.tag else []
    orgs = text.wrap(org_line, org_size, room, 99) if org_line and not out.org else []
    # Lines are handed out in this order while they fit: the first line of each,
    # then a name's second line (so that "#12" still tells items apart) and the
    # organisation line's (whose end is often a phone number), then each custom
    # field's one line, then the rest of the organisation line, the tag and the name.
    steps = {
        "name": name_size * 1.3,
        "tag": tag_size * 1.35,
        "org": org_size * 1.2,
        "field": field_size * 1.3,
    }
    wanted = {"name": len(names), "tag": len(tags), "org": len(orgs), "field": len(fields)}
    order = ["name", "tag", "org", "name", "org", *["field"] * len(fields)]
    order += ["org", "org", "tag", "name", "org", "tag"]
    given = dict.fromkeys(steps, 0)
    free = bottom - y - DESCENT * name_size - 0.6  # 0.6 mm between body and footer
    for role in order:
        cost = steps[role] + (0.6 if role == "org" and not given["org"] else 0)
        if given[role] < wanted[role] and cost <= free:
            given[role] += 1
            free -= cost
    shown_names = text.wrap(label.name, name_size, room, given["name"]) if given["name"] else []
    for line in shown_names:
        y += steps["name"]
        out.lines.append(Line(x0, y, name_size, line, "name"))
    if label.tag:
        shown = _chars(label.tag, tag_size, room, given["tag"]) if given["tag"] else []
        for line in shown:
            y += steps["tag"]
            out.lines.append(Line(x0, y, tag_size, line, "tag", text.MONO))
        out.tag_cut = _cut(shown, label.tag)
    lost = list(fields[given["field"] :])
    for line in fields[: given["field"]]:
        y += steps["field"]
        # A little smaller rather than cut, down to the tag's smallest size.
        size = min(field_size, max(1.8, room / (text.width(line, 1.0) or 1)))
        printed = text.fit(line, size, room)
        if printed:
            out.lines.append(Line(x0, y, size, printed, "field"))
        if printed != line:
            lost.append(line)
    out.fields_lost = tuple(lost)
    if orgs:
        _org(out, org_line, x0, room, y, bottom, org_size, given["org"])
    return out


def _floor(out: Drawing) -> float:
    """The lowest point any line so far reaches."""
    return max((line.y + DESCENT * line.size for line in out.lines), default=0.0)


def _org(out, org_line, x0, room, y, bottom, size, most=99) -> None:
    """The organisation line at the foot of the label, below `y`, wrapped."""
    if not org_line:
        return
    fits = int((bottom - y - 0.6 - DESCENT * size + 0.2 * size) // (size * 1.2))
    lines = text.wrap(org_line, size, room, min(most, fits)) if min(most, fits) > 0 else []
    base = bottom - DESCENT * size - (len(lines) - 1) * size * 1.2
    for i, line in enumerate(lines):
        out.lines.append(Line(x0, base + i * size * 1.2, size, line, "org"))
    out.org = "left off" if not lines else "cut" if _cut(lines, org_line) else "printed"


def _location(out, label, code, per_em, x0, room, top, bottom, h, tiny, lines, biggest) -> None:
    """A black band saying LOCATION across the top, then the place's name large
    (wide labels) and its code: nobody mistakes it for an asset's label."""
    band = min(h * 0.2, 6.0, (bottom - top) * 0.32)
    out.bands.append((x0, top, room, band))
    word_size = min(band * 0.62, room / (text.width("LOCATION", 1.0, text.SANS, True) + 0.2))
    baseline = top + band / 2 + word_size * 0.36
    word = Line(x0 + word_size * 0.1, baseline, word_size, "LOCATION", "kind", bold=True)
    out.lines.append(replace(word, fill="#fff"))  # white, on the band
    y = top + band + 0.8
    if tiny:  # the code, centred below the band
        size = min(room / per_em, (bottom - y) / (CAP + DESCENT))
        baseline = (y + bottom) / 2 + size * (CAP - DESCENT) / 2
        out.lines.insert(0, Line(x0, baseline, size, code, "code", text.MONO, True))
        return
    code_size = min(h * 0.11, 3.6, room / per_em)
    name_room = bottom - y - (CAP + DESCENT + 0.3) * code_size
    names: list[str] = []
    size = biggest
    while size >= 2.2:  # as large as the name allows, in up to `lines` lines
        most = max(1, min(lines, int((name_room - (CAP + DESCENT) * size) // (size * 1.15)) + 1))
        names = text.wrap(label.name, size, room, most)
        unbroken = all(text.width(w, size) <= room for w in text.clean(label.name).split(" "))
        if (unbroken and not _cut(names, label.name)) or size <= 2.2:
            break
        size = max(2.2, size * 0.9)
    for line in names:
        out.lines.append(Line(x0, y + CAP * size, size, line, "name"))
        y += size * 1.15
    y = (out.lines[-1].y if names else y) + DESCENT * size + 0.3 + CAP * code_size
    out.lines.insert(0, Line(x0, y, code_size, code, "code", text.MONO, True))


@dataclass(frozen=True)
class Fit:
    """What a print run loses for room: the organisation line ("printed", "cut",
    "left off", or "" when there is none) as the first cut label shows it,
    each label whose external tag is cut or left off (code, tag, shown), and
    each custom field line cut or left off (code, line)."""

    org: str
    org_shown: str
    tags_cut: list[tuple[str, str, str]]
    fields_lost: list[tuple[str, str]] = field(default_factory=list)


def fit(run: Iterable[Label], fmt: Format, org_line: str = "") -> Fit:
    org, org_shown, tags, lost = "", "", [], []
    rank = {"": 0, "printed": 1, "left off": 2, "cut": 3}
    for label in dict.fromkeys(run):
        drawing = plan(label, fmt, org_line)
        if rank[drawing.org] > rank[org]:
            org = drawing.org
            org_shown = " ".join(line.text for line in drawing.lines if line.role == "org")
        if drawing.tag_cut:
            shown = "".join(line.text for line in drawing.lines if line.role == "tag")
            tags.append((label.code, label.tag, shown))
        lost += [(label.code, line) for line in drawing.fields_lost]
    return Fit(org, org_shown, tags, lost)
