"""Chinese search over articles and briefs: words, differently segmented words, ranking, snippets, filters."""

from issues.models import Article, Brief
from issues.search import index_text, to_tsquery


def _results(client, query: str) -> str:
    response = client.get("/search/", {"q": query} if isinstance(query, str) else query)
    assert response.status_code == 200
    return response.content.decode()


def test_index_text_holds_character_pairs_and_jieba_words():
    terms = index_text("律师事务所").split()
    assert "师事" in terms  # a pair jieba never produces
    assert "律师" in terms and "事务所" in terms


def test_two_character_words_are_found(client, all_seeds):
    for word in ["代表", "监督", "营商"]:
        expected = (
            Article.objects.filter(body__contains=word).count()
            + Article.objects.filter(title__contains=word).exclude(body__contains=word).count()
        )
        text = _results(client, word)
        assert expected > 0
        assert f"共 {expected + Brief.objects.filter(body__contains=word).count()} 条" in text, word


def test_words_split_differently_are_still_found(client, published_issue):
    article = published_issue.piece_set.articles().get(title__startswith="市人大常委会出台")
    # 贸易领 crosses jieba's words 贸易 / 领域: found through the character pairs.
    text = _results(client, "贸易领")
    assert article.title in text


def test_results_are_ranked_and_highlighted(client, all_seeds):
    text = _results(client, "数字贸易")
    first_title = Article.objects.get(title__contains="数字贸易").title
    assert text.index(first_title) < text.index("</ol>")
    assert "<mark>数字贸易</mark>" in text


def test_search_combines_with_filters(client, all_seeds):
    special = _results(client, {"q": "代表", "kind": "special"})
    assert "共 1 条" in special
    xihu = _results(client, {"q": "代表", "district": "xihu"})
    assert "西湖区" in xihu and "滨江区深化代表联络站点建设" not in xihu


def test_drafts_are_not_searched(client, draft_issue, published_issue):
    title = draft_issue.piece_set.articles().first().title
    assert title not in _results(client, title[:6])


def test_no_match_says_so(client, published_issue):
    assert "没有找到包含“燃气”的文章" in _results(client, "燃气")


def test_tsquery_is_safe_for_any_input():
    assert "'" not in to_tsquery("'); drop table x; --").replace("'drop'", "").replace("'table'", "").replace("'x'", "")


def test_hostile_queries_do_not_break_the_page(client, published_issue):
    for query in ["'", "&|!", "代表 ' & 监督", "a" * 500, "::*"]:
        assert client.get("/search/", {"q": query}).status_code == 200


def test_lists_filter_by_section_district_unit_and_year(client, all_seeds):
    article = Article.objects.select_related("section", "unit").get(title__startswith="西湖区")
    by_section = _results(client, {"section": article.section_id})
    assert article.title in by_section
    assert 'class="result-kind"' not in by_section
    briefs = _results(client, {"section": "briefs"})
    assert 'class="result-kind">信息摘登<' in briefs and article.title not in briefs
    by_unit = _results(client, {"unit": article.unit_id})
    assert article.title in by_unit
    assert "市人大常委会出台" not in by_unit
    assert article.title in _results(client, {"year": "2024", "district": "xihu"})


def test_lists_paginate(client, all_seeds):
    first = client.get("/articles/").content.decode()
    assert "第 1 / 2 页" in first
    assert 'rel="next" href="?page=2"' in first
    assert client.get("/articles/?page=2").status_code == 200
    filtered = client.get("/articles/?year=2024&page=1").content.decode()
    assert 'rel="next" href="?year=2024&amp;page=2"' in filtered  # the filter goes with the page


def test_only_the_newest_matches_of_a_frequent_word_are_ranked(all_seeds):
    from issues.search import search

    matches = Article.objects.filter(body__contains="代表").order_by("-pk")
    ranked = search(Article.objects.all(), "代表", window=3)
    assert matches.count() > 3
    assert sorted(a.pk for a in ranked) == sorted(a.pk for a in matches[:3])
    assert all(a.rank > 0 for a in ranked)


def test_snippets_keep_text_escaped_and_mark_every_term():
    from issues.search import snippet

    html = snippet("<p>示例 &lt;script&gt; 人大<strong>代表</strong>依法监督</p>", "代表 监督")
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "<mark>代表</mark>" in html and "<mark>监督</mark>" in html
