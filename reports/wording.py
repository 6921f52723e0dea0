"""Wording checks (错敏字): official names, leaders' titles at a date, wrong and sensitive phrases.

One Aho-Corasick automaton (pyahocorasick) holds every entry of the dictionary; it is built once per process and
rebuilt when the dictionary changes (its version is read from the three tables, so every process sees an edit).
A check is one pass over the text, whatever the size of the dictionary.

- 机构名称: a wrong form of an official name is a hit, unless it lies inside a correct full form.
- 错敏用语: the phrase is a hit, unless it lies inside its correction (or another correct form).
- 领导职务: a leader's name with a title written right before or after it (`市人大常委会副主任张三`, `张三主任`)
  is a hit when that title is not one the leader held on the text's date. A name without a title is not judged.
"""

import csv
import datetime
import hashlib
import html
import io
import re
import threading
from dataclasses import dataclass

import ahocorasick
from django.db.models import Count, Max
from django.utils.html import strip_tags

from renda.csvsafe import decode_upload, safe_cell, unquote_cell
from reports.models import Leader, OfficialName, WordingRule

#: Titles recognised next to a name, besides those in the dictionary (the longest one written there counts).
GENERIC_TITLES = [
    *(
        prefix + title
        for title in (
            "主任",
            "书记",
            "市长",
            "区长",
            "县长",
            "省长",
            "主席",
            "秘书长",
            "部长",
            "厅长",
            "局长",
            "院长",
            "检察长",
            "委员长",
            "总理",
            "主任委员",
            "组长",
            "处长",
            "镇长",
            "乡长",
        )
        for prefix in ("", "副", "常务副")
    ),
    "党组书记",
    "党组副书记",
    "总书记",
    "委员",
]

BLOCK_END = re.compile(r"</(p|h[1-6]|li|div|blockquote|tr)>|<br\s*/?>", re.IGNORECASE)


def text_lines(html_text: str) -> list[str]:
    """The paragraphs of an HTML body as plain lines: what a hit's line number counts."""
    text = html.unescape(strip_tags(BLOCK_END.sub("\n", html_text or "")))
    return [line.strip() for line in text.splitlines() if line.strip()]


@dataclass(frozen=True)
class Hit:
    kind: str  # name | leader | phrase
    found: str  # as written
    suggestion: str  # what the dictionary says (may be empty for a sensitive phrase)
    message: str  # the explanation, in Chinese
    line_number: int  # the paragraph of the body, from 1; 0 is the title
    line: str
    start: int  # offset in the line

    @property
    def where(self) -> str:
        return f"第 {self.line_number} 段" if self.line_number else "标题"

    @property
    def context(self) -> str:
        """A stretch of the line around the hit, for lists."""
        left = max(0, self.start - 20)
        right = self.start + len(self.found) + 20
        return ("…" if left else "") + self.line[left:right] + ("…" if right < len(self.line) else "")


class Matcher:
    """The dictionary compiled into one automaton; `check` is a single pass over each line."""

    def __init__(self, names, leaders, rules):
        self.automaton = ahocorasick.Automaton()
        entries: dict[str, list] = {}

        def add(key, value):
            if key:
                entries.setdefault(key, []).append(value)

        for name in names:
            add(name.name, ("guard", name.name))
            for wrong in name.wrong_form_list:
                if wrong != name.name:
                    add(wrong, ("name", name.name))
        for rule in rules:
            add(rule.phrase, ("phrase", rule))
            if rule.correction:
                add(rule.correction, ("guard", rule.correction))
        self.leaders: dict[str, list] = {}
        for leader in leaders:
            self.leaders.setdefault(leader.name, []).append(leader)
        for name in self.leaders:
            add(name, ("leader", name))
        for key, values in entries.items():
            self.automaton.add_word(key, (key, values))
        self.size = len(entries)
        if self.size:
            self.automaton.make_automaton()
        self.titles = set(GENERIC_TITLES) | {leader.title for rows in self.leaders.values() for leader in rows}
        self.title_lengths = sorted({len(title) for title in self.titles}, reverse=True)

    def check(self, lines: list[str], on: datetime.date, *, first: int = 1) -> list[Hit]:
        """Hits in `lines` (numbered from `first`) for a text dated `on`."""
        if not self.size:
            return []
        hits = []
        for number, line in enumerate(lines, first):
            found, guards = [], []
            for end, (key, values) in self.automaton.iter(line):
                start = end - len(key) + 1
                for kind, payload in values:
                    (guards if kind == "guard" else found).append((start, end + 1, kind, key, payload))
            for start, end, kind, key, payload in found:
                if any(
                    g_start <= start and end <= g_end and g_end - g_start > end - start for g_start, g_end, *_ in guards
                ):
                    continue
                hit = self._hit(kind, key, payload, line, number, start, end, on)
                if hit is not None:
                    hits.append(hit)
        return sorted(set(hits), key=lambda h: (h.line_number, h.start, h.kind))

    def _hit(self, kind, key, payload, line, number, start, end, on) -> Hit | None:
        if kind == "name":
            return Hit("name", key, payload, f"机构名称应为“{payload}”", number, line, start)
        if kind == "phrase":
            rule = payload
            label = rule.get_kind_display()
            advice = f"，应为“{rule.correction}”" if rule.correction else "，请删除或改写"
            return Hit("phrase", key, rule.correction, f"{label}“{key}”{advice}", number, line, start)
        return self._leader_hit(key, line, number, start, end, on)

    def _leader_hit(self, name, line, number, start, end, on) -> Hit | None:
        title, title_start = self._title_at(line, start, end)
        if title is None:
            return None
        rows = self.leaders[name]
        current = [row for row in rows if row.holds_on(on)]
        if any(_title_fits(title, row.title) for row in current):
            return None
        found = line[min(start, title_start) : max(end, title_start + len(title))]
        day = f"{on.year}年{on.month}月{on.day}日"
        if current:
            right = "、".join(row.title for row in current)
            message = f"{day}{name}的职务为“{right}”，文中写作“{title}”"
        else:
            past = [row for row in rows if _title_fits(title, row.title)]
            message = f"{day}{name}已不任“{title}”" + (
                f"（{past[0].end_date.year}年{past[0].end_date.month}月{past[0].end_date.day}日离任）"
                if past and past[0].end_date
                else ""
            )
            right = ""
        return Hit("leader", found, right, message, number, line, min(start, title_start))

    def _title_at(self, line, start, end) -> tuple[str | None, int]:
        """The longest known title written right before the name, else right after it."""
        for length in self.title_lengths:
            if start >= length and line[start - length : start] in self.titles:
                return line[start - length : start], start - length
        for length in self.title_lengths:
            if line[end : end + length] in self.titles:
                return line[end : end + length], end
        return None, 0


def _title_fits(written: str, held: str) -> bool:
    """`主任` fits `市人大常委会主任` (a shortened title); it does not fit `市人大常委会副主任`."""
    if not held.endswith(written):
        return False
    rest = held[: len(held) - len(written)]
    return not rest.endswith(("副", "常务"))


_lock = threading.Lock()
_cached: tuple[tuple, Matcher] | None = None


def dictionary_version() -> tuple:
    """Changes whenever an entry is added, edited or deleted, in any process."""
    return tuple(
        tuple(model.objects.aggregate(n=Count("id"), at=Max("updated_at")).values())
        for model in (OfficialName, Leader, WordingRule)
    )


def matcher() -> Matcher:
    """The compiled dictionary, rebuilt only when it changed."""
    global _cached
    version = dictionary_version()
    with _lock:
        if _cached is None or _cached[0] != version:
            _cached = (version, Matcher(OfficialName.objects.all(), Leader.objects.all(), WordingRule.objects.all()))
        return _cached[1]


def check_text(title: str, body_html: str, on: datetime.date, *, using: Matcher | None = None) -> list[Hit]:
    """Hits in a title (line 0) and an HTML body (paragraphs from 1); `using` saves re-reading the version."""
    lines = ([title] if title else []) + text_lines(body_html)
    return (using or matcher()).check(lines, on, first=0 if title else 1)


def signature(hits: list[Hit]) -> str:
    """What a person was shown: a confirmation given for these hits does not cover new ones."""
    text = "\n".join(sorted(f"{h.kind}:{h.found}:{h.suggestion}" for h in hits))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- CSV import / export ---------------------------------------------------------------------------------------

CSV_HEADER = ["类别", "词语", "正确写法", "职务", "任职起", "任职止", "备注"]
KIND_NAME, KIND_LEADER = "机构名称", "领导职务"
RULE_KINDS = {label: value for value, label in WordingRule.Kind.choices}


def _cell(value) -> str:
    """A value as CSV text a spreadsheet will not run as a formula."""
    return safe_cell("" if value is None else str(value))


def export_csv(out) -> int:
    """Write the whole dictionary; returns the number of rows."""
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    rows = 0
    for name in OfficialName.objects.all():
        writer.writerow(
            [_cell(v) for v in (KIND_NAME, "|".join(name.wrong_form_list), name.name, "", "", "", name.note)]
        )
        rows += 1
    for leader in Leader.objects.all():
        writer.writerow(
            [
                _cell(v)
                for v in (KIND_LEADER, leader.name, "", leader.title, leader.start_date, leader.end_date, leader.note)
            ]
        )
        rows += 1
    for rule in WordingRule.objects.all():
        writer.writerow(
            [_cell(v) for v in (rule.get_kind_display(), rule.phrase, rule.correction, "", "", "", rule.note)]
        )
        rows += 1
    return rows


class ImportError_(ValueError):
    """A CSV row that cannot be read; the message names the row, in Chinese."""


def _date(value: str, row: int, field: str):
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value.replace("/", "-"))
    except ValueError:
        raise ImportError_(f"第 {row} 行：{field}“{value}”不是日期（应为 2024-01-31）。") from None


def decode_csv(data: bytes) -> str:
    """The text of an uploaded CSV (`renda.csvsafe.decode_upload`), refused as an ImportError_."""
    try:
        return decode_upload(data)
    except ValueError as exc:
        raise ImportError_(str(exc)) from None


def _limits() -> dict[str, dict[str, int]]:
    """The longest value each column may hold, per category (the dictionary's field lengths)."""

    def length(model, name):
        return model._meta.get_field(name).max_length

    return {
        KIND_NAME: {"正确写法": length(OfficialName, "name"), "备注": length(OfficialName, "note")},
        KIND_LEADER: {
            "词语": length(Leader, "name"),
            "职务": length(Leader, "title"),
            "备注": length(Leader, "note"),
        },
        "rule": {
            "词语": length(WordingRule, "phrase"),
            "正确写法": length(WordingRule, "correction"),
            "备注": length(WordingRule, "note"),
        },
    }


def _rows(reader):
    """The reader's rows numbered from 2, a malformed line reported with its number instead of a crash."""
    number = 1
    while True:
        number += 1
        try:
            raw = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportError_(f"第 {number} 行无法读取，请检查引号和单元格内容。") from exc
        yield number, raw


def import_csv(text: str) -> dict[str, int]:
    """Add or update entries from CSV text (the export's columns). All or nothing: a bad row changes nothing."""
    from django.db import transaction

    if "\x00" in text:
        raise ImportError_("文件含有空字符（NUL），不是 CSV 文本。")
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as exc:
        raise ImportError_("第 1 行无法读取，请检查引号和单元格内容。") from exc
    if header[: len(CSV_HEADER)] != CSV_HEADER:
        raise ImportError_("第 1 行应为表头：" + ",".join(CSV_HEADER))
    counts = {KIND_NAME: 0, KIND_LEADER: 0, "错敏用语": 0}
    limits = _limits()
    with transaction.atomic():
        for number, raw in _rows(reader):
            if not any(cell.strip() for cell in raw):
                continue
            cells = ([unquote_cell(c) for c in raw] + [""] * 7)[:7]
            kind, term, correct, title, start, end, note = cells
            for column, limit in limits.get(kind, limits["rule"] if kind in RULE_KINDS else {}).items():
                value = cells[CSV_HEADER.index(column)]
                if limit and len(value) > limit:
                    raise ImportError_(f"第 {number} 行：{column}最多 {limit} 个字，这里有 {len(value)} 个字。")
            if kind == KIND_NAME:
                if not correct:
                    raise ImportError_(f"第 {number} 行：机构名称须填写“正确写法”（规范全称）。")
                forms = "\n".join(f.strip() for f in term.split("|") if f.strip())
                OfficialName.objects.update_or_create(name=correct, defaults={"wrong_forms": forms, "note": note})
            elif kind == KIND_LEADER:
                if not (term and title and start):
                    raise ImportError_(f"第 {number} 行：领导职务须填写词语（姓名）、职务和任职起。")
                first, last = _date(start, number, "任职起"), _date(end, number, "任职止")
                if last and last < first:
                    raise ImportError_(f"第 {number} 行：任职止早于任职起。")
                Leader.objects.update_or_create(
                    name=term, title=title, start_date=first, defaults={"end_date": last, "note": note}
                )
            elif kind in RULE_KINDS:
                if not term:
                    raise ImportError_(f"第 {number} 行：请填写用语。")
                WordingRule.objects.update_or_create(
                    phrase=term, defaults={"correction": correct, "kind": RULE_KINDS[kind], "note": note}
                )
                kind = "错敏用语"
            else:
                allowed = "、".join([KIND_NAME, KIND_LEADER, *RULE_KINDS])
                raise ImportError_(f"第 {number} 行：类别“{kind}”不认识，应为{allowed}之一。")
            counts[kind] += 1
    return counts
