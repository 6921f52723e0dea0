"""Chinese full-text search over articles and briefs.

PostgreSQL's parser takes a run of Chinese characters as one word, so each piece stores a pre-segmented text
(`search_text`) from which the database generates a `simple` tsvector with a GIN index. The text holds the
overlapping character pairs of every Chinese run (so a word of two or more characters is found through its
pairs, however jieba splits it) followed by jieba's search-mode words (so a query's words are found even when
they are not adjacent). On SQLite the same search falls back to LIKE on title and body.
"""

import html
import re

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection, models
from django.db.models import F, Func, Q, Value
from django.utils.safestring import mark_safe

from reports.sanitize import plain_text

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{CJK}]+")
_CHUNK = re.compile(f"[{CJK}]+|[^\\W{CJK}_]+")
_WORD = re.compile(r"\w+")

_jieba = None


def _segmenter():
    """jieba, with its dictionary loaded once per process (about 0.7 s), never per request."""
    global _jieba
    if _jieba is None:
        import jieba

        jieba.setLogLevel(60)
        jieba.initialize()
        _jieba = jieba
    return _jieba


def preload() -> None:
    """Load jieba's dictionary now (a web worker at start-up) rather than on the first search."""
    _segmenter()


def index_text(text: str) -> str:
    """The space-separated terms a piece is indexed by: its Chinese character pairs, then jieba's words."""
    pairs = [run[i : i + 2] for run in _CJK_RUN.findall(text) for i in range(len(run) - 1)]
    words = [w.lower() for w in _segmenter().cut_for_search(text) if _WORD.fullmatch(w) and "_" not in w]
    return " ".join(pairs) + " , " + " ".join(words)


def _lexeme(word: str) -> str:
    return "'" + word.lower() + "'"


def _chunk_query(chunk: str) -> str:
    if not _CJK_RUN.fullmatch(chunk):
        return _lexeme(chunk) + ":*"
    if len(chunk) == 1:
        return _lexeme(chunk) + ":*"
    # All the word's character pairs, without the phrase operator: <-> makes PostgreSQL re-read every
    # candidate's vector (measured 30 ms against 18 ms for 人大代表 at 100,000 articles) for little precision.
    pairs = " & ".join(_lexeme(chunk[i : i + 2]) for i in range(len(chunk) - 1))
    words = [w for w in _segmenter().cut(chunk) if _WORD.fullmatch(w)]
    if len(words) < 2:
        return f"( {pairs} )"
    together = " & ".join(_lexeme(w) + (":*" if len(w) == 1 else "") for w in words)
    return f"( {pairs} | ( {together} ) )"


def to_tsquery(q: str) -> str:
    """A raw tsquery for the user's words: every term must match, by all its character pairs or jieba's words."""
    return " & ".join(_chunk_query(chunk) for chunk in _CHUNK.findall(q))


def query_terms(q: str) -> list[str]:
    return _CHUNK.findall(q)


class SegmentedTextField(models.TextField):
    """Holds `index_text(instance.search_document())`, computed on every save and bulk_create (not on update())."""

    def pre_save(self, model_instance, add):
        value = index_text(model_instance.search_document())
        setattr(model_instance, self.attname, value)
        return value


class SearchText(Func):
    """`to_tsvector('simple', column)` on PostgreSQL; on other databases the column itself (unused there)."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"to_tsvector('simple'::regconfig, COALESCE({sql}, ''))", params


class SearchIndex(GinIndex):
    """A GIN index on PostgreSQL; a plain index elsewhere, so SQLite can migrate the same models."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return models.Index.create_sql(self, model, schema_editor, using=using, **kwargs)
        return super().create_sql(model, schema_editor, using=using, **kwargs)


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


#: How many of the newest matches of each model are ranked. Ranking reads every ranked piece's vector, so a
#: frequent word (代表 is in a quarter of all pieces) would cost seconds at 100,000 articles if all were ranked.
WINDOW = 100


def search(queryset, q: str, window: int = WINDOW):
    """Pieces of `queryset` matching `q`: the newest `window` matches, annotated with `rank` (higher is better)."""
    terms = query_terms(q)
    if not terms:
        return queryset.none().annotate(rank=Value(0.0, output_field=models.FloatField()))
    if is_postgresql():
        query = SearchQuery(to_tsquery(q), search_type="raw", config="simple")
        newest = queryset.filter(search_vector=query).order_by("-pk").values("pk")[:window]
        return queryset.model.objects.filter(pk__in=newest).annotate(rank=SearchRank(F("search_vector"), query))
    condition = Q()
    has_title = any(f.name == "title" for f in queryset.model._meta.fields)
    for term in terms:
        term_q = Q(body__icontains=term)
        if has_title:
            term_q |= Q(title__icontains=term)
        condition &= term_q
    newest = queryset.filter(condition).order_by("-pk").values("pk")[:window]
    return queryset.model.objects.filter(pk__in=newest).annotate(rank=Value(1.0, output_field=models.FloatField()))


def snippet(text_html: str, q: str, width: int = 90) -> str:
    """A passage of the plain text around the first match of the query, matches wrapped in `<mark>`."""
    text = plain_text(text_html)
    terms = sorted({t for t in query_terms(q) if t}, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE) if terms else None
    start = 0
    if pattern and (match := pattern.search(text)):
        start = max(0, match.start() - width // 3)
    passage = text[start : start + width]
    escaped = html.escape(passage)
    if pattern:
        escaped = re.sub(
            "|".join(re.escape(html.escape(t)) for t in terms),
            lambda m: f"<mark>{m.group(0)}</mark>",
            escaped,
            flags=re.IGNORECASE,
        )
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return mark_safe(prefix + escaped + suffix)
