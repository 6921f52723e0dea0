"""Wording check (错敏字) of a whole issue against a 5,000-entry dictionary: `python bench/wording_bench.py [N]`.

Works on a throwaway database: imports the sample issues, fills the dictionary with N entries (default 5,000:
leaders with titles, official names with wrong forms, wrong and sensitive phrases, some of them present in the
issue's text), then times `issues.services.wording_hits` on the largest sample issue (18 printed pages).
"""

import random
import statistics
import sys
import time
from pathlib import Path

from _setup import import_seeds, throwaway_database

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志新文斌宇浩凯健俊峰"
TITLES = ["市人大常委会主任", "市人大常委会副主任", "市人大常委会秘书长", "区人大常委会主任", "副市长", "市长", "区长"]


def vocabulary(size):
    import jieba

    words = []
    for line in (Path(jieba.__file__).parent / "dict.txt").read_text(encoding="utf-8").splitlines():
        word = line.split(" ")[0]
        if 3 <= len(word) <= 5 and all("\u4e00" <= c <= "\u9fff" for c in word):
            words.append(word)
    random.shuffle(words)
    return words[:size]


def main():
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    throwaway_database("wording")
    import datetime

    from issues import services
    from issues.models import Issue
    from reports import wording
    from reports.models import Leader, OfficialName, WordingRule

    random.seed(13)
    import_seeds()
    issue = max(
        Issue.objects.all(),
        key=lambda i: sum(len(p.body) for p in [*i.piece_set.articles().all(), *i.piece_set.briefs().all()]),
    )
    pieces = [*issue.piece_set.articles().all(), *issue.piece_set.briefs().all()]
    chars = sum(len(getattr(p, "title", "")) + len("".join(wording.text_lines(p.body))) for p in pieces)

    leaders, names, rules = total * 2 // 5, total * 3 // 10, total - total * 2 // 5 - total * 3 // 10
    seen = set()
    people = []
    while len(people) < leaders:
        name = random.choice(SURNAMES) + "".join(random.choices(GIVEN, k=random.choice([1, 2])))
        if name not in seen:
            seen.add(name)
            people.append(Leader(name=name, title=random.choice(TITLES), start_date=datetime.date(2020, 1, 1)))
    Leader.objects.bulk_create(people)
    words = vocabulary(names * 2 + rules)
    # Some phrases that are in this issue, so the check has hits to report.
    in_issue = ["一府两院", "人大代表", "常委会", "代表联络站", "基层立法联系点"]
    OfficialName.objects.bulk_create(
        OfficialName(name=words[2 * i] + "委员会", wrong_forms=words[2 * i + 1] + "委会") for i in range(names)
    )
    WordingRule.objects.bulk_create(
        [WordingRule(phrase=p, correction=p + "（核）") for p in in_issue]
        + [
            WordingRule(phrase=w, correction="", kind="sensitive")
            for w in words[2 * names : 2 * names + rules - len(in_issue)]
            if w not in in_issue
        ]
    )
    entries = Leader.objects.count() + OfficialName.objects.count() + WordingRule.objects.count()

    started = time.perf_counter()
    wording.matcher()
    build = time.perf_counter() - started

    timings, pure = [], []
    lines = [[getattr(p, "title", ""), *wording.text_lines(p.body)] for p in pieces]
    compiled = wording.matcher()
    for _ in range(30):
        started = time.perf_counter()
        hits = services.wording_hits(issue)
        timings.append(time.perf_counter() - started)
        started = time.perf_counter()
        for piece_lines in lines:
            compiled.check(piece_lines, issue.date, first=0)
        pure.append(time.perf_counter() - started)
    print(f"issue: {issue} · {len(pieces)} pieces · {chars:,} characters of text")
    print(f"dictionary: {entries:,} entries ({compiled.size:,} automaton keys) · built in {build * 1000:.0f} ms once")
    print(f"hits: {len(hits)}")
    print(
        f"whole-issue check (pieces read from PostgreSQL, dictionary version checked, automaton cached): "
        f"median {statistics.median(timings) * 1000:.1f} ms, max {max(timings) * 1000:.1f} ms"
    )
    print(f"automaton pass alone over the issue's text: median {statistics.median(pure) * 1000:.2f} ms")
    verdict = "OK" if statistics.median(timings) < 0.050 else "TOO SLOW"
    print(f"target < 50 ms: {verdict}")


if __name__ == "__main__":
    main()
