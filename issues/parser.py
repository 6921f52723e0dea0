"""Read one issue of 《杭州人大信息》 from the plain text extracted from its printed PDF.

The text carries the artifacts of extraction (see docs/importing.md): paragraphs split where a page ended,
titles wrapped or split by stray spaces, mixed punctuation widths, `**` bold markers. This module undoes them
and returns a `ParsedIssue`. It has no Django imports, so it can be used and tested on its own.

Text fields of the result are plain text, except paragraphs and brief texts, which are HTML-escaped inline
text whose bold runs are `<strong>…</strong>`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import html
import re
import unicodedata
from dataclasses import asdict, dataclass, field

KINDS = ("regular", "special")
BRIEFS_SECTION = "信息摘登"
KNOWN_SECTIONS = (
    "要闻速递",
    "助力攻坚",
    "监督纵横",
    "代表工作",
    "情况交流",
    "工作交流",
    "他山之石",
    BRIEFS_SECTION,
)


class ParseError(ValueError):
    """The text is not an issue we can read; `line` is the 1-based line the problem was found on."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self):
        return f"第 {self.line} 行：{self.message}" if self.line else self.message


@dataclass
class ParsedArticle:
    title: str
    unit: str
    authors: list[str]
    paragraphs: list[str]
    line: int = 0


@dataclass
class ParsedSection:
    name: str | None
    articles: list[ParsedArticle] = field(default_factory=list)


@dataclass
class ParsedBrief:
    unit: str
    authors: list[str]
    text: str
    line: int = 0


@dataclass
class ParsedFooter:
    send_to: str
    recipients: list[str]
    responsible_editor: str
    phone: str
    submission_url: str | None


@dataclass
class ParsedIssue:
    kind: str
    year: int
    number: int
    total_number: int | None
    date: dt.date
    sections: list[ParsedSection]
    briefs: list[ParsedBrief]
    footer: ParsedFooter | None

    @property
    def articles(self) -> list[ParsedArticle]:
        return [article for section in self.sections for article in section.articles]

    def as_dict(self) -> dict:
        """The shape printed by `import_issue --dry-run --format json`."""
        return {
            "kind": self.kind,
            "year": self.year,
            "number": self.number,
            "total_number": self.total_number,
            "date": self.date.isoformat(),
            "sections": [
                {
                    "name": section.name,
                    "articles": [
                        {"title": a.title, "unit": a.unit, "authors": a.authors, "paragraphs": a.paragraphs}
                        for a in section.articles
                    ],
                }
                for section in self.sections
            ],
            "briefs": [{"unit": b.unit, "authors": b.authors, "text": b.text} for b in self.briefs],
            "footer": asdict(self.footer) if self.footer else None,
        }


# --- Text normalisation ---------------------------------------------------------------------------------

_SPACES = re.compile(r"[\s\u3000\u00a0\ufeff]+")
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef“”‘’《》…—"
_IS_CJK = re.compile(f"[{_CJK}]")
_WIDE = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
_NARROW_PUNCT = re.compile(r"[,:;?!]")
_PARENS = re.compile(r"\(([^()（）]*)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_SENTENCE_END = "。！？!?；;…：:"
_CLOSERS = "”’」』）)》】"
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d{1,2}[.．、])")
_PAGE_NUMBER = re.compile(r"^[—–\-－]+\s*\d+\s*[—–\-－]+$")


def clean_line(line: str) -> str:
    """Strip indentation (ASCII or ideographic) and collapse runs of inner spaces to one."""
    return _SPACES.sub(" ", line).strip()


def widen_punctuation(text: str) -> str:
    """Half-width `, : ; ? ! ( )` touching Chinese text become full-width, as they were printed."""

    def widen(match: re.Match) -> str:
        start, end = match.start(), match.end()
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        char = match.group()
        if _IS_CJK.match(before) or (char == "," and _IS_CJK.match(after)):
            return _WIDE[char]
        return char

    text = _NARROW_PUNCT.sub(widen, text)

    def widen_parens(match: re.Match) -> str:
        start, end = match.start(), match.end()
        around = (text[start - 1] if start else "") + match.group(1) + (text[end] if end < len(text) else "")
        return f"（{match.group(1)}）" if _IS_CJK.search(around) else match.group()

    return _PARENS.sub(widen_parens, text)


def match_key(text: str) -> str:
    """A form of `text` that ignores spaces, punctuation widths and bold markers, for comparing titles."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text.replace("**", "")))


def plain(text: str) -> str:
    return widen_punctuation(text.replace("**", ""))


def inline_html(text: str) -> str:
    """Escape `text` and turn `**bold**` into `<strong>bold</strong>`; a lone `**` is dropped."""
    escaped = html.escape(widen_punctuation(text), quote=False)
    return _BOLD.sub(r"<strong>\1</strong>", escaped).replace("**", "")


def ends_paragraph(text: str) -> bool:
    """Whether a chunk ends a sentence; a chunk that does not was cut by a page break."""
    text = text.rstrip("*")
    if not text:
        return False
    if text[-1] in _SENTENCE_END:
        return True
    stripped = text.rstrip(_CLOSERS)
    return stripped != text and bool(stripped) and stripped[-1] in _SENTENCE_END


def is_heading(text: str) -> bool:
    """`一、主要做法`: a short numbered heading standing on its own line."""
    return len(text) <= 30 and bool(_HEADING.match(text)) and not re.search(r"[，,；;。]", text)


def is_title_like(text: str) -> bool:
    return len(text) <= 60 and not ends_paragraph(text)


# --- Attributions ---------------------------------------------------------------------------------------

_ATTRIBUTION = re.compile(r"^[(（]\s*([^()（）]+?)\s*[)）]$")
_UNIT_WORDS = re.compile(r"(人大|常委会|委员会|工委|研究室|办公室|办公厅|人民政府|街道|乡镇)")
_UNIT_ENDINGS = ("委", "室", "会", "办", "厅", "局", "院", "组", "站", "部", "处", "科", "中心", "街道")
_LIST_PUNCT = re.compile(r"[，。；：,;:！？、]")


@dataclass
class Attribution:
    unit: str
    authors: list[str]


def parse_attribution(text: str) -> Attribution | None:
    """`(上城区人大常委会办公室 蔡 静)` → unit and authors, joining padded two-character names.

    Returns None when the line is not an attribution (a parenthesised remark, a heading).
    """
    match = _ATTRIBUTION.match(text)
    if not match:
        return None
    inner = match.group(1).replace("**", "")
    if len(inner) > 80 or _LIST_PUNCT.search(inner):
        return None
    tokens = inner.split()
    if not tokens or not (_UNIT_WORDS.search(tokens[0]) or tokens[0].endswith(_UNIT_ENDINGS)):
        return None
    unit = tokens.pop(0)
    while tokens and len(tokens[0]) >= 3 and tokens[0].endswith(_UNIT_ENDINGS) and _UNIT_WORDS.search(tokens[0]):
        unit += tokens.pop(0)
    return Attribution(unit=unit, authors=join_padded_names(tokens))


def join_padded_names(tokens: list[str]) -> list[str]:
    """Two-character names are printed padded (`蔡 静`): consecutive single characters pair up into one name."""
    names: list[str] = []
    pending = ""
    for token in tokens:
        if len(token) == 1 and _IS_CJK.match(token):
            if pending:
                names.append(pending + token)
                pending = ""
            else:
                pending = token
            continue
        if pending:
            names.append(pending)
            pending = ""
        names.append(token)
    if pending:
        names.append(pending)
    return names


# --- The document's parts -------------------------------------------------------------------------------


@dataclass
class Line:
    number: int
    text: str


@dataclass
class Piece:
    """The lines between two attributions: one article (title and paragraphs) or one brief."""

    lines: list[Line]
    attribution: Attribution
    attribution_line: int
    is_brief: bool = False
    section_hint: str | None = None


@dataclass
class TocSection:
    name: str
    titles: list[str]
    line: int


@dataclass
class Masthead:
    kind: str | None = None
    year: int | None = None
    number: int | None = None
    total_number: int | None = None
    date: dt.date | None = None


_MASTHEAD_TITLE = "杭州人大信息"
_KIND_LINE = re.compile(r"^[(（]\s*(普\s*刊|专\s*刊)\s*[)）]$")
_REGULAR_NUMBER = re.compile(r"^第\s*(\d+)\s*期\s*(?:[(（]\s*总\s*第\s*(\d+)\s*期\s*[)）])?$")
_SPECIAL_NUMBER = re.compile(r"^(\d{4})\s*年\s*第\s*(\d+)\s*期$")
_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_TOC_HEADING = re.compile(r"^目\s*录$")
_TOC_SECTION = re.compile(r"^[-•·]\s*(?:\*\*)?\s*([^*\s]{2,10}?)\s*\*\*\s*(.*)$|^【([^】]{2,10})】\s*(.*)$")
_BRIEF_COUNT = re.compile(r"^(\d+)\s*则$")
_FOOTER_START = re.compile(r"^(送\s*[:：]|本期责任编辑\s*[:：])")


def read_masthead(lines: list[Line], start: int) -> tuple[Masthead, int]:
    """Consume the masthead lines at `start`, in whatever order; return where the rest begins."""
    masthead = Masthead()
    index = start
    while index < len(lines):
        text = lines[index].text
        compact = text.replace(" ", "")
        if compact == _MASTHEAD_TITLE or (compact.endswith("研究室编") and len(compact) <= 20):
            pass
        elif m := _KIND_LINE.match(text):
            masthead.kind = "regular" if "普" in m.group(1) else "special"
        elif m := _SPECIAL_NUMBER.match(text):
            masthead.year, masthead.number = int(m.group(1)), int(m.group(2))
            masthead.kind = masthead.kind or "special"
        elif m := _REGULAR_NUMBER.match(text):
            masthead.number = int(m.group(1))
            masthead.total_number = int(m.group(2)) if m.group(2) else None
            if m.group(2):
                masthead.kind = masthead.kind or "regular"
        elif m := _DATE.match(text):
            try:
                masthead.date = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                raise ParseError(f"日期“{text}”不存在", lines[index].number) from None
        else:
            break
        index += 1
    return masthead, index


def read_toc(raw_lines: list[str], lines: list[Line], start: int) -> tuple[list[TocSection], int | None, int]:
    """Read the 目录 that starts at `lines[start]` (its heading); return sections, brief count and where it ends.

    The 目录 is a run of lines without blank lines; a blank followed by another section entry continues it.
    It also ends after the 信息摘登 entry, which is always last, or where the first listed title comes again.
    """
    sections: list[TocSection] = []
    brief_count: int | None = None
    index = start + 1
    while index < len(lines):
        line = lines[index]
        previous = lines[index - 1]
        blank_before = any(not raw_lines[n - 1].strip() for n in range(previous.number + 1, line.number))
        match = _TOC_SECTION.match(line.text)
        if (
            sections
            and not match
            and (blank_before or sections[-1].name == BRIEFS_SECTION or _is_first_title(line, sections))
        ):
            break
        if match:
            name = match.group(1) or match.group(3)
            rest = (match.group(2) if match.group(1) else match.group(4)) or ""
            if name == BRIEFS_SECTION:
                count = _BRIEF_COUNT.match(rest.strip())
                brief_count = int(count.group(1)) if count else None
                sections.append(TocSection(name, [], line.number))
            else:
                sections.append(TocSection(name, [plain(rest).strip()] if rest.strip() else [], line.number))
        elif sections:
            sections[-1].titles.append(plain(line.text))
        else:
            raise ParseError("目录的第一项应是栏目，如“- 要闻速递** 标题”", line.number)
        index += 1
    if not sections:
        raise ParseError("有“目录”标题，却没有目录条目", lines[start].number)
    sections = [s for s in sections if s.name != BRIEFS_SECTION]
    return sections, brief_count, index


def _is_first_title(line: Line, sections: list[TocSection]) -> bool:
    """Without a blank line after the 目录, the body begins where the first listed title comes again."""
    first = next((s.titles[0] for s in sections if s.titles), None)
    if first is None:
        return False
    return difflib.SequenceMatcher(None, match_key(line.text), match_key(first), autojunk=False).ratio() > 0.8


def read_footer(lines: list[Line]) -> ParsedFooter:
    send_to, recipients, editor, phone, url = "", [], "", "", None
    for line in lines:
        text = line.text
        if m := re.match(r"^送\s*[:：]\s*(.*)$", text):
            send_to = m.group(1).strip()
            continue
        found = False
        if m := re.search(r"本期责任编辑\s*[:：]\s*(\S+)", text):
            editor, found = m.group(1), True
        if m := re.search(r"电\s*话\s*[:：]\s*(.+?)\s*$", text):
            phone, found = m.group(1), True
        if m := re.search(r"信息报送网址\s*[:：]\s*<?\s*([^>）)\s]+)", text):
            url, found = m.group(1), True
        if not found:
            if editor or phone:
                raise ParseError(f"版记中无法识别的一行：“{text}”", line.number)
            recipients.append(text)
    if not editor:
        raise ParseError("版记缺少“本期责任编辑：”", lines[0].number)
    return ParsedFooter(
        send_to=send_to, recipients=recipients, responsible_editor=editor, phone=phone, submission_url=url
    )


def split_pieces(lines: list[Line], section_names: set[str]) -> list[Piece]:
    """Cut the body at attributions; note 信息摘登 and section headings printed in the body."""
    pieces: list[Piece] = []
    current: list[Line] = []
    in_briefs = False
    section_hint: str | None = None
    for line in lines:
        bare = line.text.replace("**", "").strip("【】[] ")
        if not current and bare == BRIEFS_SECTION:
            in_briefs = True
            continue
        if not current and bare in section_names:
            section_hint = bare
            continue
        attribution = parse_attribution(line.text)
        if attribution is None:
            current.append(line)
            continue
        if not current:
            raise ParseError(f"署名“{line.text}”前没有正文", line.number)
        pieces.append(Piece(current, attribution, line.number, in_briefs, section_hint))
        current = []
    if current:
        raise ParseError(
            f"从“{current[0].text[:20]}”起的内容没有署名：每篇文章和每条摘登都应以“(单位 作者)”结尾",
            current[0].number,
        )
    return pieces


def join_paragraphs(lines: list[Line]) -> list[str]:
    """Rejoin paragraphs cut by page breaks: a chunk that does not end a sentence continues on the next."""
    paragraphs: list[str] = []
    open_paragraph = False
    for line in lines:
        text = line.text
        if open_paragraph:
            paragraphs[-1] += text
        else:
            paragraphs.append(text)
        open_paragraph = not ends_paragraph(text) and not is_heading(text)
    return [inline_html(p) for p in paragraphs]


def split_title(piece: Piece, toc_title: str | None) -> tuple[str, list[Line]]:
    """Separate an article's title (one to three lines) from its paragraphs."""
    lines = piece.lines
    if len(lines) < 2:
        raise ParseError("文章只有一行：缺少标题或正文", lines[0].number)
    if toc_title is not None:
        target = match_key(toc_title)
        best_n, best_ratio = 1, -1.0
        for n in range(1, min(3, len(lines) - 1) + 1):
            if not all(is_title_like(line.text) for line in lines[:n]):
                break
            candidate = match_key("".join(line.text for line in lines[:n]))
            ratio = difflib.SequenceMatcher(None, candidate, target, autojunk=False).ratio()
            if ratio > best_ratio:
                best_n, best_ratio = n, ratio
        if best_ratio < 0.6:
            raise ParseError(f"正文标题“{lines[0].text}”与目录中的“{toc_title}”对不上", lines[0].number)
        return toc_title, lines[best_n:]
    if not is_title_like(lines[0].text):
        raise ParseError("文章应以标题开头", lines[0].number)
    n = 1
    second = lines[1].text
    if len(lines) > 2 and len(second) <= 30 and not ends_paragraph(second) and not is_heading(second):
        n = 2
    return plain(" ".join(line.text for line in lines[:n])), lines[n:]


def looks_like_article(piece: Piece) -> bool:
    lines = piece.lines
    if len(lines) < 2 or not is_title_like(lines[0].text):
        return False
    if len(lines[0].text) <= 40 and len(join_paragraphs(lines[1:])) >= 2:
        return True
    return bool(re.match(r"^\S{2,4}[区县市][:：]", lines[0].text))


def check_titles_inside_pieces(pieces: list[Piece], toc: list[TocSection]) -> None:
    """A 目录 title found deep inside a piece means the attribution before it is missing."""
    keys = [match_key(t) for s in toc for t in s.titles]
    for piece in pieces:
        for line in piece.lines[2:]:
            key = match_key(line.text)
            if len(key) < 6 or not is_title_like(line.text):
                continue
            if any(difflib.SequenceMatcher(None, key, k, autojunk=False).ratio() > 0.8 for k in keys):
                raise ParseError(f"标题“{line.text}”之前缺少上一篇文章的署名“(单位 作者)”", line.number)


def parse_issue(text: str, **overrides) -> ParsedIssue:
    """Parse one issue. `overrides` (kind, year, number, total_number, date) supply or replace masthead values."""
    if not text.strip():
        raise ParseError("文件是空的")
    if "\x00" in text:
        raise ParseError("这不是文本文件（含有二进制内容）", text[: text.index("\x00")].count("\n") + 1)
    raw_lines = text.splitlines()
    lines = [
        Line(number, cleaned)
        for number, raw in enumerate(raw_lines, start=1)
        if (cleaned := clean_line(raw)) and not _PAGE_NUMBER.match(cleaned)
    ]
    for line in lines:
        bad = [c for c in line.text if unicodedata.category(c) in ("Cc", "Co", "Cs") or c == "\ufffd"]
        if bad:
            raise ParseError(f"含有无法识别的字符 {bad[0]!r}，文件可能不是 UTF-8 文本", line.number)

    masthead, index = read_masthead(lines, 0)
    toc: list[TocSection] | None = None
    brief_count: int | None = None
    if index < len(lines) and _TOC_HEADING.match(lines[index].text.replace(" ", "")):
        toc, brief_count, index = read_toc(raw_lines, lines, index)

    footer_at = next((i for i in range(index, len(lines)) if _FOOTER_START.match(lines[i].text)), len(lines))
    body, footer_lines = lines[index:footer_at], lines[footer_at:]
    footer = read_footer(footer_lines) if footer_lines else None

    if not body:
        raise ParseError("没有找到正文：这不像一期《杭州人大信息》", lines[min(index, len(lines) - 1)].number)

    section_names = {s.name for s in toc} if toc else set(KNOWN_SECTIONS)
    pieces = split_pieces(body, section_names)

    sections: list[ParsedSection] = []
    brief_pieces: list[Piece] = []
    if toc is not None:
        check_titles_inside_pieces(pieces, toc)
        expected = sum(len(s.titles) for s in toc)
        marked = next((i for i, p in enumerate(pieces) if p.is_brief), None)
        article_count = marked if marked is not None else min(expected, len(pieces))
        if article_count != expected:
            line = pieces[min(article_count, len(pieces) - 1)].lines[0].number
            raise ParseError(f"目录列出 {expected} 篇文章，正文中找到 {article_count} 篇", line)
        article_pieces, brief_pieces = pieces[:article_count], pieces[article_count:]
        if brief_count is not None and len(brief_pieces) != brief_count:
            extra = brief_pieces[0].lines[0].number if brief_pieces else body[-1].number
            raise ParseError(f"目录写信息摘登 {brief_count} 则，正文中找到 {len(brief_pieces)} 则", extra)
        if brief_count is None and brief_pieces and marked is None:
            line = brief_pieces[0].lines[0].number
            raise ParseError(f"目录列出 {expected} 篇文章且没有信息摘登，正文中却多出 {len(brief_pieces)} 篇", line)
        queue = iter(article_pieces)
        for toc_section in toc:
            section = ParsedSection(toc_section.name)
            for toc_title in toc_section.titles:
                piece = next(queue)
                title, rest = split_title(piece, toc_title)
                section.articles.append(_article(piece, title, rest))
            sections.append(section)
    else:
        in_briefs = False
        for piece in pieces:
            in_briefs = in_briefs or piece.is_brief or not looks_like_article(piece)
            if in_briefs:
                brief_pieces.append(piece)
                continue
            title, rest = split_title(piece, None)
            name = piece.section_hint
            if not sections or sections[-1].name != name:
                sections.append(ParsedSection(name))
            sections[-1].articles.append(_article(piece, title, rest))
    briefs = [_brief(piece) for piece in brief_pieces]
    return _with_numbers(masthead, overrides, sections, briefs, footer)


def _article(piece: Piece, title: str, rest: list[Line]) -> ParsedArticle:
    if not rest:
        raise ParseError(f"文章“{title}”没有正文", piece.lines[0].number)
    return ParsedArticle(
        title=title,
        unit=piece.attribution.unit,
        authors=piece.attribution.authors,
        paragraphs=join_paragraphs(rest),
        line=piece.lines[0].number,
    )


def _brief(piece: Piece) -> ParsedBrief:
    return ParsedBrief(
        unit=piece.attribution.unit,
        authors=piece.attribution.authors,
        text="\n".join(join_paragraphs(piece.lines)),
        line=piece.lines[0].number,
    )


def _with_numbers(masthead: Masthead, overrides: dict, sections, briefs, footer) -> ParsedIssue:
    values = {
        "kind": masthead.kind,
        "year": masthead.year,
        "number": masthead.number,
        "total_number": masthead.total_number,
        "date": masthead.date,
    }
    values.update({key: value for key, value in overrides.items() if value is not None})
    if values["kind"] not in KINDS:
        raise ParseError("报头中没有刊物类别（普刊/专刊）：请用 --kind regular 或 --kind special 指定")
    if values["date"] is None:
        raise ParseError("报头中没有出刊日期：请用 --date YYYY-MM-DD 指定")
    if values["year"] is None:
        values["year"] = values["date"].year
    if values["number"] is None:
        raise ParseError("报头中没有期号：请用 --number N 指定")
    if values["kind"] == "special":
        if overrides.get("total_number") is not None:
            raise ParseError("专刊没有总期号，不能使用 --total")
        values["total_number"] = None
    return ParsedIssue(**values, sections=sections, briefs=briefs, footer=footer)


def body_html(paragraphs: list[str]) -> str:
    """Paragraphs as stored in a piece's body: a standalone `一、…` heading as `<h3>`, the rest as `<p>`."""
    return "\n".join(f"<h3>{p}</h3>" if is_heading(p) else f"<p>{p}</p>" for p in paragraphs)
