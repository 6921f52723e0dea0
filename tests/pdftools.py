"""Reading a rendered PDF back with poppler: text, fonts and where each line of body text ends."""

import itertools
import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass

MM = 72 / 25.4
A4_WIDTH = 210 * MM
LEFT = 28 * MM
RIGHT = A4_WIDTH - 26 * MM
EM = 16  # body size, pt
CLOSING = "。，、；：？！）》」』】”’"


@dataclass
class Line:
    page: int
    x_min: float
    x_max: float
    y_min: float
    y_max: float
    text: str

    @property
    def size(self) -> float:
        return self.y_max - self.y_min


def pdftotext(path, *args) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdffonts(path) -> list[dict]:
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name type... encoding emb sub uni object-id gen
        kind = " ".join(parts[1:-6])
        rows.append({"name": parts[0], "type": kind, "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def lines(path) -> list[Line]:
    xml = pdftotext(path, "-bbox-layout")
    xml = re.sub(r"<!DOCTYPE[^>]*>", "", xml)
    root = ET.fromstring(xml)
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    result = []
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), start=1):
        for line in page.iterfind(".//x:line", ns):
            words = [w.text or "" for w in line.iterfind("x:word", ns)]
            result.append(
                Line(
                    number,
                    float(line.get("xMin")),
                    float(line.get("xMax")),
                    float(line.get("yMin")),
                    float(line.get("yMax")),
                    "".join(words),
                )
            )
    return result


def paragraph_lines(all_lines: list[Line]) -> list[Line]:
    """Body lines followed by another line of the same paragraph (the next one starts flush at the margin)."""
    body = [ln for ln in all_lines if 21 < ln.size < 25 and ln.x_min > LEFT - 2 and "—" not in ln.text[:2]]
    inside = []
    for line, following in itertools.pairwise(body):
        same_page = following.page == line.page
        next_continues = abs(following.x_min - LEFT) < 3 and (not same_page or 0 < following.y_min - line.y_min < 40)
        starts_at_text = abs(line.x_min - LEFT) < 3 or abs(line.x_min - LEFT - 2 * EM) < 4
        if next_continues and starts_at_text and line.x_max > RIGHT - 3 * EM:
            inside.append(line)
    return inside


def right_edge_share(path, tolerance: float = 0.75) -> tuple[float, int]:
    """Share of in-paragraph lines ending within `tolerance` pt of the right margin, and how many lines."""
    inside = paragraph_lines(lines(path))
    even = [ln for ln in inside if abs(ln.x_max - RIGHT) <= tolerance]
    return (len(even) / len(inside) if inside else 0.0), len(inside)


def lines_starting_with_closing_punctuation(path) -> list[Line]:
    return [ln for ln in lines(path) if ln.text and ln.text[0] in CLOSING]
