"""Near-duplicate detection across reports and printed pieces: MinHash over character shingles, banded (LSH).

Why this method (measured, see docs/similar.md): a text's character 3-grams (punctuation and spaces dropped,
paragraph by paragraph, so reordering paragraphs changes nothing) are summarised by a 126-value MinHash
signature (datasketch). The signature is cut into 42 bands of 3 values; each band's hash is a row of
FingerprintBand, B-tree indexed. Texts sharing at least one band with the query are candidates, and their
similarity is the estimated Jaccard index of the two shingle sets (the share of equal signature values).
With these bands a pair at similarity 0.5 is found with probability 99.6 %, at 0.35 with 84 %, at 0.05 with 0.5 %.

All access to printed pieces goes through `_published_pieces` and `_piece_texts`.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from issues.models import Article, Brief, FingerprintBand, Piece, TextFingerprint
from reports.models import Report
from reports.wording import text_lines

if TYPE_CHECKING:
    import numpy as np

SHINGLE = 3
NUM_PERM = 126
BANDS = 42
ROWS = NUM_PERM // BANDS
SEED = 13
#: The similarity from which the desk lists a text (and `find_similar` prints it).
THRESHOLD = 0.35
#: How far back reports are compared.
REPORT_WINDOW = datetime.timedelta(days=365)
#: Texts shorter than this many shingles are too short to compare meaningfully.
MIN_SHINGLES = 20
KEEP = re.compile(r"[0-9A-Za-z\u3400-\u9fff]+")
Kind = TextFingerprint.Kind


def shingles(lines: list[str]) -> set[bytes]:
    """Character 3-grams of each paragraph, without punctuation or spaces."""
    grams = set()
    for line in lines:
        text = "".join(KEEP.findall(line))
        grams.update(text[i : i + SHINGLE].encode() for i in range(len(text) - SHINGLE + 1))
    return grams


def document_lines(title: str, body_html: str) -> list[str]:
    return ([title] if title else []) + text_lines(body_html)


def signature(lines: list[str]) -> np.ndarray | None:
    grams = shingles(lines)
    if len(grams) < MIN_SHINGLES:
        return None
    # datasketch pulls in scipy, numpy in turn (about 0.5 s and 60 MB together): imported when a process first
    # fingerprints a text, not by every process that loads the app (gunicorn workers, commands).
    from datasketch import LeanMinHash, MinHash

    minhash = MinHash(num_perm=NUM_PERM, seed=SEED)
    minhash.update_batch(list(grams))
    return LeanMinHash(minhash).hashvalues.astype("uint32")


def bands(values: np.ndarray) -> list[int]:
    """One signed 64-bit hash per band (band number included, so equal values in different bands differ)."""
    out = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        out.append(int.from_bytes(digest, "little", signed=True))
    return out


def _decode(raw) -> np.ndarray:
    import numpy as np

    return np.frombuffer(bytes(raw), dtype=np.uint32)


# --- printed pieces: the only place that reads them ------------------------------------------------------------


def _piece_texts(kind: str, ids=None):
    """(id, title, body as printed) of pieces of `kind` (all, or those with `ids`), for indexing."""
    queryset = Piece.objects.filter(kind=kind)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    for piece in queryset.only("pk", "kind", "title", "lead", "body").iterator():
        yield piece.pk, piece.title, piece.printed_body


def _published_pieces(kind: str, ids) -> dict[int, tuple[str, str, int | None]]:
    """Published pieces of `kind` among `ids`: {id: (title, where printed, source report id)}."""
    rows = (
        Piece.objects.published()
        .filter(kind=kind, pk__in=ids)
        .select_related("issue", "unit")
        .defer("search_text", "search_vector")
    )
    return {piece.pk: (str(piece), piece.issue.name, piece.report_id) for piece in rows}


PIECE_KINDS = (Kind.ARTICLE, Kind.BRIEF)


# --- keeping fingerprints ---------------------------------------------------------------------------------------


def store(kind: str, object_id: int, lines: list[str], at=None) -> TextFingerprint | None:
    """(Re)index one text; a text too short to compare loses any fingerprint it had."""
    values = signature(lines)
    with transaction.atomic():
        TextFingerprint.objects.filter(kind=kind, object_id=object_id).delete()
        if values is None:
            return None
        fingerprint = TextFingerprint.objects.create(
            kind=kind, object_id=object_id, signature=values.tobytes(), at=at or timezone.now()
        )
        FingerprintBand.objects.bulk_create(FingerprintBand(fingerprint=fingerprint, band=b) for b in bands(values))
    return fingerprint


def forget(kind: str, object_id: int) -> None:
    TextFingerprint.objects.filter(kind=kind, object_id=object_id).delete()


def index_piece(piece: Piece) -> None:
    store(piece.kind, piece.pk, document_lines(piece.title, piece.printed_body))


def index_report(report: Report) -> None:
    """A report is compared as the unit sent it, dated when it was first sent (as `rebuild` dates it)."""
    lines = document_lines(report.title, report.body)
    store(Kind.REPORT, report.pk, lines, at=report.submitted_at or report.created_at)


def rebuild(batch: int = 2000) -> int:
    """Index every piece and every report sent to the 研究室 again (after an upgrade, or a bulk load)."""
    TextFingerprint.objects.all().delete()
    count = 0
    for kind in PIECE_KINDS:
        rows = []
        for pk, title, body in _piece_texts(kind):
            rows.append((kind, pk, document_lines(title, body), None))
            if len(rows) >= batch:
                count += _store_many(rows)
                rows = []
        count += _store_many(rows)
    sent = Report.objects.exclude(status__in=Report.UNIT_SIDE).values_list(
        "pk", "title", "body", "submitted_at", "created_at"
    )
    rows = [(Kind.REPORT, pk, document_lines(title, body), at or made) for pk, title, body, at, made in sent.iterator()]
    return count + _store_many(rows)


def _store_many(rows) -> int:
    """Bulk version of `store` for fresh objects (no old fingerprint to remove)."""
    made = []
    for kind, pk, lines, at in rows:
        values = signature(lines)
        if values is not None:
            made.append(
                (TextFingerprint(kind=kind, object_id=pk, signature=values.tobytes(), at=at or timezone.now()), values)
            )
    with transaction.atomic():
        TextFingerprint.objects.bulk_create([f for f, _ in made])
        FingerprintBand.objects.bulk_create(
            FingerprintBand(fingerprint=f, band=b) for f, values in made for b in bands(values)
        )
    return len(made)


# --- finding ----------------------------------------------------------------------------------------------------


@dataclass
class Similar:
    kind: str
    id: int
    title: str
    similarity: float
    where: str = ""  # the issue a piece is printed in, or the unit of a report

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label

    @property
    def percent(self) -> int:
        return round(self.similarity * 100)

    @property
    def url(self) -> str:
        if self.kind == Kind.REPORT:
            return reverse("admin:reports_report_change", args=[self.id])
        return reverse(f"issues:{self.kind}", args=[self.id])

    def as_dict(self) -> dict:
        return {"kind": self.kind, "id": self.id, "title": self.title, "similarity": round(self.similarity, 2)}


def candidates(values: np.ndarray, *, now=None) -> list[tuple[TextFingerprint, float]]:
    """Fingerprints sharing a band with `values` (reports of the last 12 months, any piece), with similarity."""
    now = now or timezone.now()
    shared = FingerprintBand.objects.filter(band__in=bands(values)).values_list("fingerprint_id", flat=True)
    rows = TextFingerprint.objects.filter(pk__in=shared).exclude(kind=Kind.REPORT, at__lt=now - REPORT_WINDOW)
    found = []
    for fingerprint in rows.only("kind", "object_id", "signature"):
        similarity = float((_decode(fingerprint.signature) == values).mean())
        found.append((fingerprint, similarity))
    return found


def find_similar(
    title: str, body_html: str, *, exclude_report: int | None = None, threshold: float = THRESHOLD, now=None
) -> list[Similar]:
    """What the desk lists for a text: similar reports of the last 12 months (any unit) and published pieces,
    best first, only from `threshold` on. A report's own fingerprint and its own printed piece are left out, and a
    report printed as a listed piece is listed once, as the piece (one text, not two)."""
    values = signature(document_lines(title, body_html))
    if values is None:
        return []
    found = [(f, s) for f, s in candidates(values, now=now) if s >= threshold]
    by_kind: dict[str, dict[int, float]] = {}
    for fingerprint, similarity in found:
        by_kind.setdefault(fingerprint.kind, {})[fingerprint.object_id] = similarity
    results = []
    printed = {exclude_report}  # reports whose text is listed already: as the piece printed from them
    for kind in PIECE_KINDS:
        ids = by_kind.get(kind, {})
        for pk, (piece_title, where, report_id) in _published_pieces(kind, ids).items() if ids else ():
            if exclude_report is None or report_id != exclude_report:
                results.append(Similar(kind, pk, piece_title, ids[pk], where))
                printed.add(report_id)
    report_ids = {pk: s for pk, s in by_kind.get(Kind.REPORT, {}).items() if pk not in printed}
    if report_ids:
        reports = Report.objects.filter(pk__in=report_ids).select_related("unit").only("title", "unit__name")
        results += [Similar(Kind.REPORT, r.pk, r.title, report_ids[r.pk], r.unit.name) for r in reports]
    return sorted(results, key=lambda item: (-item.similarity, item.kind, item.id))


def similar_to_report(report: Report, **options) -> list[Similar]:
    return find_similar(report.title, report.body, exclude_report=report.pk, **options)


def for_unit(report: Report, items: list[Similar]) -> list[Similar]:
    """What a unit may see of the desk's list: published pieces, and its own reports (never another unit's)."""
    own = set(Report.objects.filter(unit=report.unit_id).values_list("pk", flat=True))
    return [item for item in items if item.kind != Kind.REPORT or item.id in own]


# --- keeping the index current ---------------------------------------------------------------------------------


#: What a piece's fingerprint is made from (`document_lines(title, printed_body)`; a brief's lead is printed).
TEXT_FIELDS = frozenset({"title", "lead", "body"})


def _piece_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    """Reindexed when its text may have changed: not after a save of other fields only (the desk's reordering)."""
    if raw or (update_fields is not None and not TEXT_FIELDS & set(update_fields)):
        return
    index_piece(instance)


def _piece_deleted(sender, instance, **kwargs):
    forget(instance.kind, instance.pk)


def _report_saved(sender, instance, raw=False, **kwargs):
    """Indexed when it reaches the 研究室 (each submission: the text as sent); the unit's drafts are not."""
    if not raw and instance.status == Report.Status.SUBMITTED:
        index_report(instance)


def _report_deleted(sender, instance, **kwargs):
    forget(Kind.REPORT, instance.pk)


def connect():
    from django.db.models.signals import post_delete, post_save

    for model in (Piece, Article, Brief):  # the admin saves through the proxies, which send their own signals
        post_save.connect(_piece_saved, sender=model, dispatch_uid=f"similar-{model.__name__}-saved")
        post_delete.connect(_piece_deleted, sender=model, dispatch_uid=f"similar-{model.__name__}-deleted")
    post_save.connect(_report_saved, sender=Report, dispatch_uid="similar-report-saved")
    post_delete.connect(_report_deleted, sender=Report, dispatch_uid="similar-report-deleted")


def index_new_pieces(pieces) -> None:
    """After a bulk_create (which sends no signals), e.g. an imported issue."""
    _store_many([(p.kind, p.pk, document_lines(p.title, p.printed_body), None) for p in pieces])
