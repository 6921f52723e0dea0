"""积分: every unit's points for a period, computed from the facts, each point traced to its event and rule.

Events are derived, never typed in:
- `article` / `brief`: a piece of a published regular issue dated in the period (imported back issues count: the
  piece's unit is the one printed in its attribution); `special`: any piece of a published 专刊 (in place of
  `article` / `brief`). Dated by the issue.
- `call_answered`: a report answering a 约稿 call, first submitted before the call closed; `call_late`: one first
  submitted after (it scores `call_late` instead of `call_answered`). Dated by the submission.
- `instruction_province` / `_city` / `_district`: a 领导批示 on a published piece, dated by the instruction.
- `zero_month`: a network unit that sent nothing in a month of the period that has ended (no report submitted and
  no piece printed: `未报送`, as the 通报 names it). Derived only for years whose rule set has a `zero_month` rule
  (without the rule there is no such policy, hence no event).

报送 (a unit's `sent`, the 通报's column): the reports it first submitted in the period, plus its pieces printed in
the period that came from no report (imported back issues: their print is the only trace of the sending). A report
is counted once, in the period it was sent, even when it is printed in the next. A unit is 未报送 in a period when it
has neither a report submitted nor a piece printed in it (a report sent in March and printed in April keeps the unit
off the second quarter's 未报送 list, with 报送 0 and 刊用 1).

Each event is scored by the rule set of its own year (an event of 2024 by the 2024 rules). With `combine =
highest`, the outcomes of one report (its piece, the call it answered, the instructions on its piece; for an
imported piece without a report, the piece) count only with their highest points within the period; with `sum`
they add up. Deductions (`call_late`, `zero_month`) always count in full, per event.
Computed on the fly (a handful of queries per period): nothing is stored, so a corrected fact or rule shows at once.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from network.models import Answer, Instruction, Rule, RuleSet, network_units
from reports.models import Contributor, District, Report
from reports.stats import Period, local_midnight

Event = Rule.Event
OUTCOMES = {
    Event.ARTICLE,
    Event.BRIEF,
    Event.SPECIAL,
    Event.CALL_ANSWERED,
    Event.INSTRUCTION_PROVINCE,
    Event.INSTRUCTION_CITY,
    Event.INSTRUCTION_DISTRICT,
}
ZERO = Decimal(0)


@dataclass
class ScoreEvent:
    """One scoring event: what happened, to which unit, when, the rule that scored it and the points it counts."""

    unit: Contributor
    event: str
    date: datetime.date
    rule_points: Decimal = ZERO
    has_rule: bool = False
    counted: Decimal = ZERO
    group: tuple | None = None  # the report (or imported piece) whose outcomes combine
    piece: object = None
    report: Report | None = None
    instruction: Instruction | None = None
    answer: Answer | None = None
    piece_kind: str = ""
    note: str = ""

    @property
    def label(self) -> str:
        return Event(self.event).label

    @property
    def is_print(self) -> bool:
        """A piece printed (an article, a brief, a piece of a 专刊), not a 批示 on one."""
        return self.piece is not None and self.instruction is None

    @property
    def issue(self):
        return self.piece.issue if self.piece is not None else None

    @property
    def description(self) -> str:
        """What the event is about, in Chinese: the piece and its issue, the call, the instruction or the month."""
        if self.instruction is not None:
            i = self.instruction
            return f"{i.get_level_display()}批示（{i.leader}）：{self.piece.issue.name}《{_piece_title(self.piece)}》"
        if self.piece is not None:
            return f"{self.piece.issue.name}《{_piece_title(self.piece)}》"
        if self.answer is not None:
            return f"约稿“{self.answer.call.topic}”：《{self.report.title}》"
        return f"{self.date.year}年{self.date.month}月无报送"


def _piece_title(piece) -> str:
    if piece.title:
        return piece.title
    text = (piece.lead or "") + "…"
    return text if piece.lead else "信息摘登"


@dataclass
class UnitScore:
    unit: Contributor
    items: list[ScoreEvent] = field(default_factory=list)
    sent: int = 0
    rank: int = 0

    @property
    def points(self) -> Decimal:
        return sum((item.counted for item in self.items), ZERO)

    @property
    def events(self) -> dict[str, int]:
        """Events by kind, in the order of the rule choices."""
        counts = Counter(item.event for item in self.items)
        return {event.value: counts[event.value] for event in Event if counts[event.value]}

    @property
    def articles(self) -> int:
        """Pieces printed as articles (in a 专刊 too): the 刊用文章 of 信息采用情况."""
        return sum(1 for item in self.items if item.piece_kind == "article" and item.instruction is None)

    @property
    def briefs(self) -> int:
        return sum(1 for item in self.items if item.piece_kind == "brief" and item.instruction is None)

    @property
    def instructions(self) -> int:
        return sum(1 for item in self.items if item.instruction is not None)

    @property
    def sent_anything(self) -> bool:
        """Whether the unit sent anything in the period: a report submitted, or a piece printed (else 未报送)."""
        return bool(self.sent or self.articles or self.briefs)

    @property
    def district_label(self) -> str:
        return District(self.unit.district).label

    def as_json(self) -> dict:
        return {
            "unit": self.unit.name,
            "district": self.district_label,
            "points": float(self.points),
            "events": self.events,
        }


def _rule_sets(years) -> dict[int, RuleSet]:
    return {rs.year: rs for rs in RuleSet.objects.filter(year__in=set(years)).prefetch_related("rules")}


def period_events(period: Period, today: datetime.date | None = None) -> list[ScoreEvent]:
    """Every scoring event dated in the period, scored and combined."""
    from issues.models import Issue, Piece

    today = today or timezone.localdate()
    start, end = local_midnight(period.start), local_midnight(period.end)
    events: list[ScoreEvent] = []

    pieces = Piece.objects.filter(
        issue__status=Issue.Status.PUBLISHED, issue__date__gte=period.start, issue__date__lt=period.end
    ).select_related("issue", "unit", "report")
    for piece in pieces.defer("body", "search_text").order_by("issue__date", "issue_id", "kind", "position"):
        kind = Event.SPECIAL if piece.issue.kind == Issue.Kind.SPECIAL else piece.kind
        events.append(
            ScoreEvent(
                piece.unit,
                kind,
                piece.issue.date,
                group=_group(piece),
                piece=piece,
                report=piece.report,
                piece_kind=piece.kind,
            )
        )

    answers = (
        Answer.objects.sent()
        .filter(report__submitted_at__gte=start, report__submitted_at__lt=end)
        .select_related("call", "report__unit", "report__printed_piece")
        .order_by("report__submitted_at", "id")
    )
    for answer in answers:
        report = answer.report
        late = report.submitted_at >= answer.call.closes_at
        events.append(
            ScoreEvent(
                report.unit,
                Event.CALL_LATE if late else Event.CALL_ANSWERED,
                timezone.localdate(report.submitted_at),
                group=None if late else ("report", report.pk),
                report=report,
                answer=answer,
            )
        )

    instructions = (
        Instruction.objects.filter(
            date__gte=period.start, date__lt=period.end, piece__issue__status=Issue.Status.PUBLISHED
        )
        .select_related("piece__unit", "piece__issue", "piece__report")
        .defer("piece__body", "piece__search_text")
        .order_by("date", "id")
    )
    for instruction in instructions:
        piece = instruction.piece
        events.append(
            ScoreEvent(
                piece.unit,
                instruction.event,
                instruction.date,
                group=_group(piece),
                piece=piece,
                report=piece.report,
                instruction=instruction,
                piece_kind=piece.kind,
            )
        )

    rule_sets = _rule_sets({period.year})  # a period lies within one year: every event above is dated in it
    printed = {(item.unit.pk, item.date.month) for item in events if item.is_print}
    events += _zero_months(period, today, rule_sets, printed)
    _score(events, rule_sets)
    return events


def _group(piece) -> tuple:
    return ("report", piece.report_id) if piece.report_id else ("piece", piece.pk)


def _zero_months(
    period: Period, today: datetime.date, rule_sets: dict[int, RuleSet], printed: set[tuple[int, int]]
) -> list[ScoreEvent]:
    """A `zero_month` for each network unit and ended month of the period in which it sent nothing: no report
    submitted, no piece printed (`printed`: (unit id, month) of the period's pieces)."""
    rule_set = rule_sets.get(period.year)
    if rule_set is None or Event.ZERO_MONTH not in rule_set.points_by_event():
        return []
    from network.services import submitted_counts

    units = list(network_units().order_by("position", "name"))
    events = []
    first = period.start.month
    for month in range(first, first + {"month": 1, "quarter": 3, "year": 12}[period.kind]):
        one = Period("month", period.year, month)
        if one.end > today:  # a month still running is not a zero month (yet)
            break
        counts = submitted_counts(one)
        events += [
            ScoreEvent(unit, Event.ZERO_MONTH, one.start)
            for unit in units
            if not counts.get(unit.pk) and (unit.pk, month) not in printed
        ]
    return events


def _score(events: list[ScoreEvent], rule_sets: dict[int, RuleSet]) -> None:
    """Give each event its rule's points, then combine the outcomes of one report where the rule set says so."""
    tables = {year: rs.points_by_event() for year, rs in rule_sets.items()}
    best: dict[tuple, ScoreEvent] = {}
    for item in events:
        table = tables.get(item.date.year, {})
        item.has_rule = item.event in table
        item.rule_points = table.get(item.event, ZERO)
        item.counted = item.rule_points
        rule_set = rule_sets.get(item.date.year)
        if rule_set is None:
            item.note = f"{item.date.year}年无积分规则"
        elif not item.has_rule:
            item.note = "规则未设此项"
        if (
            rule_set is not None
            and rule_set.combine == RuleSet.Combine.HIGHEST
            and item.event in OUTCOMES
            and item.group is not None
        ):
            key = (item.date.year, item.group)
            kept = best.get(key)
            if kept is None or item.rule_points > kept.rule_points:
                if kept is not None:
                    kept.counted, kept.note = ZERO, "同一信息取最高分，本项不计"
                best[key] = item
            else:
                item.counted, item.note = ZERO, "同一信息取最高分，本项不计"


def unit_scores(period: Period, today: datetime.date | None = None) -> list[UnitScore]:
    """Per unit, ranked by points: the units with any event or any report sent in the period; each with its 报送
    (reports first submitted in the period, plus pieces printed in it that came from no report)."""
    from network.services import submitted_counts

    scores: dict[int, UnitScore] = {}
    events = period_events(period, today)
    for item in events:
        scores.setdefault(item.unit.pk, UnitScore(item.unit)).items.append(item)
    sent = Counter(submitted_counts(period))
    sent.update(item.unit.pk for item in events if item.is_print and item.piece.report_id is None)
    missing = [pk for pk in sent if pk not in scores]
    for unit in Contributor.objects.filter(pk__in=missing):
        scores[unit.pk] = UnitScore(unit)
    for pk, score in scores.items():
        score.sent = sent.get(pk, 0)
    return rank(list(scores.values()))


def rank(scores: list[UnitScore]) -> list[UnitScore]:
    """Best first; equal points share a rank (1, 2, 2, 4)."""
    scores.sort(key=lambda s: (-s.points, s.unit.position, s.unit.name))
    previous = None
    for position, score in enumerate(scores, start=1):
        score.rank = previous[1] if previous and previous[0] == score.points else position
        previous = (score.points, score.rank)
    return scores


def unit_score(unit: Contributor, period: Period) -> UnitScore:
    """One unit's score with its trace (its own events only), and its rank among all units."""
    for score in unit_scores(period):
        if score.unit.pk == unit.pk:
            return score
    return UnitScore(unit)


def points_by_unit(period: Period) -> dict[int, float]:
    """For 信息采用情况 (through reports.extensions): each unit's points in the period."""
    return {score.unit.pk: float(score.points) for score in unit_scores(period)}


def no_submission_units(period: Period, scores: list[UnitScore] | None = None) -> list[Contributor]:
    """The network units that sent nothing in the period, neither a report submitted nor a piece printed (named in
    the 通报 as 未报送); from `scores` if given (the period's `unit_scores`)."""
    scores = unit_scores(period) if scores is None else scores
    sent = {score.unit.pk for score in scores if score.sent_anything}
    return [unit for unit in network_units().order_by("position", "name") if unit.pk not in sent]


# --- rule sets as JSON ------------------------------------------------------------------------------------------


class RuleSetError(ValueError):
    """The JSON does not describe a rule set; the message says why, in Chinese."""


def export_rule_set(rule_set: RuleSet) -> dict:
    return {
        "year": rule_set.year,
        "combine": rule_set.combine,
        "rules": [
            {"event": rule.event, "points": _number(rule.points)}
            for rule in sorted(rule_set.rules.all(), key=lambda r: list(Event.values).index(r.event))
        ],
    }


def _number(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


def import_rule_set(data) -> RuleSet:
    """Create or replace the rule set of `data["year"]` (its rules are replaced as a whole)."""
    from django.db import transaction

    if not isinstance(data, dict):
        raise RuleSetError('JSON 顶层应为对象：{"year": …, "combine": …, "rules": […]}')
    year, combine, rules = data.get("year"), data.get("combine", "sum"), data.get("rules")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        raise RuleSetError("year 应为 2000 到 2100 之间的整数。")
    if combine not in RuleSet.Combine.values:
        raise RuleSetError('combine 应为 "sum" 或 "highest"。')
    if not isinstance(rules, list):
        raise RuleSetError("rules 应为数组。")
    parsed = {}
    for rule in rules:
        if not isinstance(rule, dict) or rule.get("event") not in Event.values:
            raise RuleSetError(f"未知的计分事项：{rule!r}；可用：{'、'.join(Event.values)}")
        points = rule.get("points")
        if isinstance(points, bool) or not isinstance(points, int | float):
            raise RuleSetError(f"{rule['event']} 的 points 应为数字。")
        value = Decimal(str(points))
        if abs(value) >= 10000 or value != value.quantize(Decimal("0.01")):
            raise RuleSetError(f"{rule['event']} 的 points 超出范围（绝对值小于 10000，最多两位小数）。")
        if rule["event"] in parsed:
            raise RuleSetError(f"计分事项 {rule['event']} 重复。")
        parsed[rule["event"]] = value
    with transaction.atomic():
        rule_set, _ = RuleSet.objects.select_for_update().update_or_create(year=year, defaults={"combine": combine})
        rule_set.rules.all().delete()
        Rule.objects.bulk_create(Rule(rule_set=rule_set, event=e, points=p) for e, p in parsed.items())
    return rule_set
