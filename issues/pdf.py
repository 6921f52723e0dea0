"""The issue as a printed bulletin: WeasyPrint from the same issue template as the web page, with print CSS.

WeasyPrint stretches justified lines only at spaces, so lines made of Chinese characters keep a ragged right
edge. `patch_weasyprint()` extends its own justification: every wide (East Asian W/F) character is a
stretch point, and the line's extra width is given to runs of wide characters as Pango letter-spacing when the
justified line's layout is set. Line breaks do not change. It also spares WeasyPrint work the 目录 would cost
(repagination, a text box per leader dot). This depends on WeasyPrint internals, so the version is pinned
(pyproject.toml) and tests check each patch: the right edge of every paragraph line (`pdftotext -bbox-layout`),
the pages laid out, the colophon and the leaders.
"""

import collections
import contextlib
import copy
import functools
import gc
import logging
import math
import mimetypes
import os
import re
import threading
import unicodedata
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pydyf
from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils._os import safe_join

from issues.previews import issue_html

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

#: The origin the PDF's HTML is rendered under; only its static and media URLs are fetched.
PDF_BASE_URL = "https://renda.invalid/"


@functools.cache
def _wide_pattern() -> re.Pattern:
    """Runs of wide characters (East Asian Width W or F), as a regular expression built once per process."""
    ranges, start = [], None
    for code in range(0x40001):  # nothing above plane 3 is wide
        wide = unicodedata.east_asian_width(chr(code)) in "WF"
        if wide and start is None:
            start = code
        elif not wide and start is not None:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(code - 1))}")
            start = None
    return re.compile(f"[{''.join(ranges)}]+")


def _wide_runs(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of the runs of wide characters in `text`."""
    return [match.span() for match in _wide_pattern().finditer(text)]


def _wide_stretch_points(text: str) -> float:
    """The letter-spacing units Pango adds to `text`'s wide runs: one per character, less the outer halves
    it drops at the ends of the text (each text box is laid out on its own)."""
    runs = _wide_runs(text)
    if not runs:
        return 0.0
    count = sum(end - start for start, end in runs)
    if runs[0][0] == 0:
        count -= 0.5
    if runs[-1][1] == len(text):
        count -= 0.5
    return max(count, 0.0)


_patching = threading.Lock()
_patched = False


def patch_weasyprint():
    """Patch WeasyPrint (pinned 70.0) once per process, whichever thread renders first. Each patch is tested
    (tests/test_issue_pdf.py)."""
    global _patched
    with _patching:
        if _patched:
            return
        _justify_wide_characters()
        _repaginate_less()
        _lay_out_the_toc_with_the_pages_last_found()
        _draw_leaders_as_one_run()
        _subset_fonts_side_by_side()
        _subset_fonts_in_one_pass()
        _embed_cid_fonts_as_bare_cff()
        _resolve_lengths_cheaply()
        _skip_anonymous_backgrounds()
        _shape_a_line_and_a_half()
        _set_up_text_layouts_once_per_style()
        _measure_a_broken_line_as_shaped()
        _read_font_files_when_needed()
        _deflate_pages_as_painted()
        _read_glyphs_in_bulk_when_drawing()
        _patched = True


def _justify_wide_characters():
    """Justified Chinese lines end at the right margin: every wide character is a stretch point.

    Justifying a line, WeasyPrint sets up a Pango layout for each of its text boxes and puts it away at once;
    drawing sets it up again from the text and spacing it holds, so only those are kept. Drawing reads the
    font's line metrics before that when the text is underlined or overlined: then the layout is made as before.
    """
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import inline
    from weasyprint.text import line_break
    from weasyprint.text.ffi import pango

    original_count = inline.count_expandable_spaces
    original_set_text = line_break.Layout.set_text

    def count_expandable_spaces(box):
        count = original_count(box)
        if isinstance(box, boxes.TextBox):
            count += _wide_stretch_points(box.text)
        return count

    def set_text(self, text, justify=False):
        original_set_text(self, text, justify)
        spacing = self.justification_spacing
        if not (justify and spacing and self.text):
            return
        letter_spacing = self.style["letter_spacing"]
        letter_spacing = 0 if letter_spacing == "normal" else letter_spacing
        units = int((letter_spacing + spacing) * line_break.TO_UNITS)
        attr_list = pango.pango_layout_get_attributes(self.layout)
        if attr_list == line_break.ffi.NULL:
            attr_list = line_break.ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
        position = index = 0  # a character offset, and the same in UTF-8 bytes (Pango's indices)
        for start, end in _wide_runs(self.text):
            index += len(self.text[position:start].encode())
            run_length = len(self.text[start:end].encode())
            attr = pango.pango_attr_letter_spacing_new(units)
            attr.start_index, attr.end_index = index, index + run_length
            pango.pango_attr_list_change(attr_list, attr)
            index += run_length
            position = end
        pango.pango_layout_set_attributes(self.layout, attr_list)

    original_create_layout = inline.create_layout

    def create_layout(text, style, context, max_width, justification_spacing):  # as add_word_spacing calls it
        if style["text_decoration_line"] != "none":
            return original_create_layout(text, style, context, max_width, justification_spacing)
        layout = line_break.Layout.__new__(line_break.Layout)
        layout.text, layout.justification_spacing, layout.max_width = text, justification_spacing, max_width
        layout.first_line_direction = 0
        layout.layout = layout.language = layout.style = None  # what deactivate() puts away
        return layout

    inline.count_expandable_spaces = count_expandable_spaces
    line_break.Layout.set_text = set_text
    inline.create_layout = create_layout  # only add_word_spacing uses it there


def _repaginate_less():
    """The 目录's page numbers (target-counter) make WeasyPrint lay pages out again, reusing unchanged pages. Two
    fixes keep that to one extra pass over the 目录's pages:

    - Pages are first laid out with the page total unknown (0). Counter values cached then differ from later
      ones by that total alone, which WeasyPrint takes for a change and lays the 目录 out a third time. Nothing
      here prints the total (the folios print `counter(page)`), so the cached values are brought up to date
      instead, unless some content relies on the total changing.
      The 目录 names each target in its CSS (templates/pdf/issue.html) so that WeasyPrint follows it.
    - Reusing pages, it stops at the last one with content and drops a following page that holds only
      footnotes (the colophon is a footnote so that it sits at the foot of the last page). When the last page
      starts with no content left, it and the one before are laid out again.
    """
    from weasyprint import layout

    original_make_all_pages = layout.make_all_pages

    def make_all_pages(context, root_box, html, pages):
        if pages:
            collector = context.target_collector
            lookups = collector.counter_lookup_items.values()
            if not any(_relies_on_page_total(lookup) for lookup in lookups):
                for item in (*collector.target_lookup_items.values(), *lookups):
                    if "pages" in item.cached_page_counter_values:
                        item.cached_page_counter_values["pages"] = [len(pages)]
            last = len(pages) - 1
            if last >= 1 and context.page_maker[last][0] is None:
                for index in (last - 1, last):
                    context.page_maker[index][-1]["content_changed"] = True
        return original_make_all_pages(context, root_box, html, pages)

    layout.make_all_pages = make_all_pages


#: Issue pk -> the page counters each 目录 target had when the issue was last laid out in this process (the
#: editor's previews and then the stored PDF lay out the same issue many times). Most recent last, at most 64.
_target_pages: collections.OrderedDict[int, dict[str, dict]] = collections.OrderedDict()
_target_pages_lock = threading.Lock()


def _lay_out_the_toc_with_the_pages_last_found():
    """The 目录 is laid out before the pages its entries point to, so WeasyPrint first lays it out without their
    numbers and then again with them (a sixth of the layout of an 18-page issue). Laying out an issue it has laid
    out before, WeasyPrint is given the pages its targets were on then (`issue_document`): the 目录 is set with
    those numbers at once, and WeasyPrint's own check, as each target is placed, finds nothing changed. Where a
    target has moved, that check sees it and the 目录 is laid out again, as without the guess.

    WeasyPrint 70 also takes the counters a target-counter() misses for counters of the content's own page (a
    variable reused in `compute_content_list`), so the 目录's page was laid out again in any case. Content made of
    leaders and target counters only is given none."""
    from weasyprint.css import targets

    original_collect_anchor = targets.TargetCollector.collect_anchor
    original_cache = targets.TargetCollector.cache_target_page_counters
    original_collect_missing = targets.TargetCollector.collect_missing_counters

    def only_leaders_and_target_counters(box) -> bool:
        """Content like the 目录's: leaders and page numbers of targets named in the CSS. Any other content keeps
        WeasyPrint's own second look at its page: a target read from attr() is brought up to date only by it, and
        text-transform and white-space apply only where content is first parsed (not on the second look)."""
        content = box.style["content"]
        return (
            not isinstance(content, str)
            and box.style["text_transform"] == "none"
            and all(
                type_ == "leader()" or (type_ in ("target-counter()", "target-counters()") and value[0][0] != "attr()")
                for type_, value in content
            )
        )

    @functools.wraps(original_collect_missing)
    def collect_missing_counters(self, parent_box, css_token, parse_again, missing_counters, missing_target_counters):
        if (
            missing_counters
            and css_token == "content"
            and any(missing_counters is names for names in missing_target_counters.values())
            and only_leaders_and_target_counters(parent_box)
        ):
            missing_counters = []
        original_collect_missing(self, parent_box, css_token, parse_again, missing_counters, missing_target_counters)

    @functools.wraps(original_collect_anchor)
    def collect_anchor(self, anchor_name):
        original_collect_anchor(self, anchor_name)
        known = getattr(_thread, "target_pages", None)
        item = self.target_lookup_items.get(anchor_name)
        if known and anchor_name in known and item is not None and not item.cached_page_counter_values:
            item.cached_page_counter_values = copy.deepcopy(known[anchor_name])

    @functools.wraps(original_cache)
    def cache_target_page_counters(self, anchor_name, page_counter_values, page_maker_index, page_maker):
        original_cache(self, anchor_name, page_counter_values, page_maker_index, page_maker)
        found = getattr(_thread, "target_items", None)
        item = self.target_lookup_items.get(anchor_name)
        if found is not None and item is not None and item.cached_page_counter_values:
            found[anchor_name] = item

    targets.TargetCollector.collect_anchor = collect_anchor
    targets.TargetCollector.collect_missing_counters = collect_missing_counters
    targets.TargetCollector.cache_target_page_counters = cache_target_page_counters


@contextlib.contextmanager
def _target_pages_of(issue_pk: int):
    """Gives the layout the pages `issue_pk`'s targets were on last time, and keeps where they are this time.
    The page total is unknown (0) while pages are first laid out, so it is kept as 0."""
    with _target_pages_lock:
        _thread.target_pages = _target_pages.get(issue_pk)
    _thread.target_items = {}
    try:
        yield
        found = {}
        for name, item in _thread.target_items.items():
            counters = copy.deepcopy(item.cached_page_counter_values)
            if "pages" in counters:
                counters["pages"] = [0]
            found[name] = counters
        with _target_pages_lock:
            _target_pages[issue_pk] = found
            _target_pages.move_to_end(issue_pk)
            while len(_target_pages) > 64:
                _target_pages.popitem(last=False)
    finally:
        _thread.target_pages = _thread.target_items = None


def _draw_leaders_as_one_run():
    """A 目录 leader is one text box per dot, each shaped and drawn on its own (some 700 an issue). The dots of a
    leader are set side by side, so one box holding them all draws the same glyphs at the same places."""
    from weasyprint.layout import inline, leader
    from weasyprint.text import line_break

    original_handle_leader = inline.handle_leader

    def handle_leader(context, line, containing_block):
        original_handle_leader(context, line, containing_block)
        _index, leader_box = leader.leader_index(line)
        if leader_box is None or len(leader_box.children) < 2:
            return
        count = len(leader_box.children)
        first = min(leader_box.children, key=lambda box: box.position_x)
        run = first.copy()
        run.text = first.text * count
        run.width = first.width * count
        run.pango_layout = line_break.create_layout(run.text, run.style, context, None, 0)
        run.pango_layout.deactivate()
        leader_box.children = (run,)

    inline.handle_leader = handle_leader


def _shape_a_line_and_a_half():
    """To break a line, WeasyPrint shapes the paragraph's text from the line's start up to four times the line's
    width in font sizes (112 characters of a 28-character line), made for Latin letters, half an em wide. A
    Chinese line needs a line and a half: the text after that cannot move the break, which Pango's rules decide
    from the characters around it. When the break comes a few characters before the end of that shorter text,
    the result is the one the whole text gives; otherwise the whole text is broken as before."""
    from weasyprint.layout import inline

    original_split = inline.split_first_line
    lookahead = 24  # bytes after the break (eight Chinese characters), for Pango's line-breaking rules

    def split_first_line(text, style, context, max_width, justification_spacing, is_line_start=True, minimum=False):
        size = style["font_size"]
        if max_width and max_width != math.inf and size and not minimum:
            short = text[: int(max_width / size * 1.5) + 16]
            if len(short) < len(text):
                result = original_split(short, style, context, max_width, justification_spacing, is_line_start)
                resume_index = result[2]
                if resume_index is not None and resume_index + lookahead <= len(short.encode()):
                    return result
        return original_split(text, style, context, max_width, justification_spacing, is_line_start, minimum)

    inline.split_first_line = split_first_line


def _set_up_text_layouts_once_per_style():
    """WeasyPrint sets up each Pango layout from scratch (some 1,500 an issue): a new Pango context, a font
    description read from the style, and for a line's height a cache key built as a string of 14 style values.
    Styles are shared by every box of the same element kind, so these are kept on the style; the context is kept
    per font configuration (one per thread) and text direction and language, and Pango layouts only read it.
    Underlined text (which reads the font's metrics from the context) and OpenType features set up as before."""
    from weasyprint.css import computed_values, units
    from weasyprint.layout import inline
    from weasyprint.text import line_break
    from weasyprint.text.constants import PANGO_DIRECTION
    from weasyprint.text.ffi import ffi, gobject, pango, unicode_to_char_p
    from weasyprint.text.fonts import font_features, get_font_description

    original_setup = line_break.Layout.setup
    original_strut = line_break.strut
    feature_names = ("font_kerning", "font_variant_ligatures", "font_variant_position", "font_variant_caps")
    feature_names += ("font_variant_numeric", "font_variant_alternates", "font_variant_east_asian")
    feature_names += ("font_feature_settings",)

    def pango_context(font_config, direction, lang):
        contexts = font_config.__dict__.setdefault("renda_pango_contexts", {})
        if (direction, lang) not in contexts:
            context = ffi.gc(pango.pango_font_map_create_context(font_config.font_map), gobject.g_object_unref)
            pango.pango_context_set_round_glyph_positions(context, False)
            pango.pango_context_set_base_dir(context, PANGO_DIRECTION[direction])
            if lang:
                language = pango.pango_language_from_string(unicode_to_char_p(lang)[0])
                pango.pango_context_set_language(context, language)
            else:
                language = pango.pango_language_get_default()
            contexts[direction, lang] = context, language
        return contexts[direction, lang]

    def shared_setup(style):
        if "renda_layout_setup" not in style.__dict__:
            plain = (
                style["text_decoration_line"] == "none"
                and style["font_language_override"] == "normal"
                and not font_features(*(style[name] for name in feature_names))
            )
            style.__dict__["renda_layout_setup"] = (
                (*pango_context(style.font_config, style["direction"], style["lang"]), get_font_description(style))
                if plain
                else None
            )
        return style.__dict__["renda_layout_setup"]

    @functools.wraps(original_setup)
    def setup(self, style):
        shared = shared_setup(style)
        if shared is None:
            return original_setup(self, style)
        context, self.language, font_description = shared
        self.style = style
        self.first_line_direction = 0
        self.layout = ffi.gc(pango.pango_layout_new(context), gobject.g_object_unref)
        pango.pango_layout_set_auto_dir(self.layout, False)
        pango.pango_layout_set_font_description(self.layout, font_description)
        self.ascent = self.underline_position = self.strikethrough_position = None

    @functools.wraps(original_strut)
    def strut(style):
        if "renda_strut" not in style.__dict__:
            style.__dict__["renda_strut"] = original_strut(style)
        return style.__dict__["renda_strut"]

    line_break.Layout.setup = setup
    for module in (line_break, inline, units, computed_values):
        module.strut = strut


def _measure_a_broken_line_as_shaped():
    """Having found where a line breaks, WeasyPrint shapes the line's text once more on its own, to measure it
    without its trailing spaces. A line broken between two wide (Chinese) characters measures the same as the
    first line already shaped: no space to drop, and no kerning or hyphen across the break, which Pango may keep in
    the first line's width. That line is measured; every other line is shaped again as before."""
    from weasyprint.text import line_break
    from weasyprint.text.ffi import FROM_UNITS, pango

    original = line_break.first_line_metrics

    def wide(character: str) -> bool:
        return unicodedata.east_asian_width(character) in "WF"

    @functools.wraps(original)
    def first_line_metrics(
        first_line, text, layout, resume_at, space_collapse, style, hyphenated=False, hyphenation_character=None
    ):
        plain = style["word_break"] == "normal" and style["overflow_wrap"] == "normal"
        if resume_at and plain and not hyphenated:
            encoded = text.encode()
            line_text = encoded[: first_line.length].decode()
            after = encoded[first_line.length : first_line.length + 4].decode(errors="ignore")[:1]
            if line_text and after and wide(line_text[-1]) and wide(after) and "\u00ad" not in line_text:
                layout.text = line_text  # what drawing sets the line up from
                width, height = line_break.line_size(first_line, style)
                baseline = pango.pango_layout_get_baseline(layout.layout) * FROM_UNITS
                length = first_line.length
                layout.deactivate()
                return layout, length, resume_at, width, height, baseline
        return original(first_line, text, layout, resume_at, space_collapse, style, hyphenated, hyphenation_character)

    line_break.first_line_metrics = first_line_metrics


def _read_font_files_when_needed():
    """Each font used takes a copy of its whole file (10-25 MB for a CJK font) when a render meets it, which the
    subset replaces unread. The copy is made when something reads the file: a font embedded whole, or one
    HarfBuzz could not subset, or made static or rid of colour glyphs."""
    from weasyprint.pdf import fonts as pdf_fonts

    original_init = pdf_fonts.Font.__init__
    original_data = pdf_fonts.get_hb_object_data
    deferred = threading.local()

    @functools.wraps(original_data)
    def get_hb_object_data(hb_object, ot_color=None, glyph=None):
        if getattr(deferred, "font", None) is not None and ot_color is None and hb_object == deferred.font.hb_face:
            return None  # Font.__init__ reading its own file: read it when needed
        return original_data(hb_object, ot_color, glyph)

    @functools.wraps(original_init)
    def init(self, pango_font, description, font_size):
        deferred.font = self
        try:
            original_init(self, pango_font, description, font_size)
        finally:
            deferred.font = None

    def read_file(self):
        content = self.__dict__.get("renda_file_content")
        if content is None:
            content = self.__dict__["renda_file_content"] = original_data(self.hb_face)
        return content

    def replace_file(self, content):
        self.__dict__["renda_file_content"] = content

    pdf_fonts.get_hb_object_data = get_hb_object_data
    pdf_fonts.Font.__init__ = init
    pdf_fonts.Font.file_content = property(read_file, replace_file)


def _resolve_lengths_cheaply():
    """WeasyPrint resolves some 25 style values into lengths for every box it lays out. Two kinds of box need few:

    - Margin boxes without content: all 16 of every page are made and resolved, then thrown away or zeroed in size
      and spacing (only the folio's has content here). They get the min and max sizes their neighbours' widths
      read, and zeros for what is zeroed anyway.
    - Anonymous boxes (the lines and their text, some 750 an issue): their style sets no box property, so every
      value is the initial one (no margin, padding or border, sizes auto). They get those values directly, unless
      something set one of them or their borders collapse.
    """
    from weasyprint.css import AnonymousStyle
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import absolute, block, inline, page, percent
    from weasyprint.layout import float as float_layout

    original_resolve = percent.resolve_percentages
    sides = ("top", "right", "bottom", "left")
    zeroed = [f"{part}_{side}" for part in ("margin", "padding") for side in sides]
    borders = [f"border_{side}_width" for side in sides]
    box_properties = {*zeroed, "width", "height", "min_width", "max_width", "min_height", "max_height", "box_sizing"}

    def resolve_percentages(box, containing_block):
        style = box.style
        if isinstance(box, boxes.MarginBox) and not box.is_generated:
            width, height = containing_block
            for name in (*zeroed, *borders, "width", "height"):
                setattr(box, name, 0)
            for name, refer_to in (("min_width", width), ("max_width", width)):
                percent.resolve_one_percentage(box, name, refer_to)
            for name, refer_to in (("min_height", height), ("max_height", height)):
                percent.resolve_one_percentage(box, name, refer_to)
        elif (
            type(style) is AnonymousStyle
            and box_properties.isdisjoint(style)
            and style["border_collapse"] == "separate"
            and not any(style[name] for name in borders)
        ):
            for name in (*zeroed, *borders):
                setattr(box, name, 0)
            box.width = box.height = "auto"
            box.min_width = box.min_height = 0
            box.max_width = box.max_height = math.inf
        else:
            original_resolve(box, containing_block)

    for module in (absolute, block, float_layout, inline, page):
        module.resolve_percentages = resolve_percentages


def _skip_anonymous_backgrounds():
    """Laying out backgrounds, WeasyPrint reads some ten style values of every box. An anonymous box (a line, its
    text) has the initial ones unless something set them: no background, shadow, border image or rounded corner."""
    from weasyprint.css import AnonymousStyle
    from weasyprint.layout import background

    original_layout = background.layout_box_backgrounds
    corners = [f"border_{corner}_radius" for corner in ("top_left", "top_right", "bottom_right", "bottom_left")]
    read = {*corners, "border_image_source", "mask_border_source", "background_image", "background_color", "box_shadow"}

    @functools.wraps(original_layout)
    def layout_box_backgrounds(page, box, get_image_from_uri, layout_children=True, style=None):
        if style is None and box is not page and type(box.style) is AnonymousStyle and read.isdisjoint(box.style):
            for name in corners:
                setattr(box, name, (0, 0))
            if layout_children:
                for child in box.all_children():
                    layout_box_backgrounds(page, child, get_image_from_uri)
            box.background = None
        else:
            original_layout(page, box, get_image_from_uri, layout_children, style)

    background.layout_box_backgrounds = layout_box_backgrounds


def _subset_fonts_side_by_side():
    """Subsetting a CJK font (some 65,000 glyphs) takes HarfBuzz 10-40 ms with the GIL released, and an issue
    embeds two to four of them. They are subset on two threads before WeasyPrint embeds them, with the glyphs it
    would give each (merged per font file, as it does), and compressed there; its own call then finds the font
    done."""
    import weasyprint.pdf
    from weasyprint.pdf import fonts as pdf_fonts

    original_build = weasyprint.pdf.build_fonts_dictionary
    original_clean = pdf_fonts.Font.clean

    def clean(self, to_unicode, hinting):
        if not getattr(self, "subset_done", False):
            original_clean(self, to_unicode, hinting)
            self.subset_done = True

    def build_fonts_dictionary(pdf, fonts, compress, subset, options):
        if subset:
            by_file = {}
            for font in fonts.values():
                by_file.setdefault(font.hash, []).append(font)
            jobs = [
                (group[0], {glyph: text for font in group for glyph, text in font.to_unicode.items()})
                for group in by_file.values()
                if not (group[0].bitmap or group[0].used_in_forms)
            ]
            list(_pdf_threads().map(lambda job: subset_and_deflate(job[0], job[1], options["hinting"]), jobs))
        return original_build(pdf, fonts, compress, subset, options)

    def subset_and_deflate(font, to_unicode, hinting):
        font.clean(to_unicode, hinting)
        font.deflated = font.file_content, _deflate_parts([font.file_content])

    pdf_fonts.Font.clean = clean
    weasyprint.pdf.build_fonts_dictionary = build_fonts_dictionary


#: Tables a PDF reader never reads from an embedded font (layout, colour bitmaps, signatures): left out of subsets.
_DROPPED_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")


def _harfbuzz_subset(face, glyph_ids, *, hinting: bool, keep_ids: bool, notdef_outline: bool = False):
    """HarfBuzz's subset of `face` to `glyph_ids` (desubroutinised, unread tables dropped), or a NULL face."""
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset

    subset_input = ffi.gc(harfbuzz_subset.hb_subset_input_create_or_fail(), harfbuzz_subset.hb_subset_input_destroy)
    ids = sorted(glyph_ids)
    harfbuzz.hb_set_add_sorted_array(
        harfbuzz_subset.hb_subset_input_glyph_set(subset_input), ffi.new("hb_codepoint_t[]", ids), len(ids)
    )
    flags = harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED | harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
    if keep_ids:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_RETAIN_GIDS
    if not hinting:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    if notdef_outline:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    harfbuzz_subset.hb_subset_input_set_flags(subset_input, flags)
    tags = sorted(harfbuzz.hb_tag_from_string(name, -1) for name in _DROPPED_TABLES)
    drop = harfbuzz_subset.hb_subset_input_set(subset_input, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG)
    harfbuzz.hb_set_add_sorted_array(drop, ffi.new("hb_codepoint_t[]", tags), len(tags))
    return ffi.gc(harfbuzz_subset.hb_subset_or_fail(face, subset_input), harfbuzz.hb_face_destroy)


def _subset_fonts_in_one_pass():
    """WeasyPrint subsets a font twice: once keeping the glyph ids (the page streams name glyphs by id), then
    again to drop the glyphs after the last one used and the hints. Kept ids already end the font at the last
    glyph used, so the second pass, which costs a CJK font as much as the first (10-20 ms), changes nothing but
    the hints: one pass with the hints dropped gives the same glyphs. Glyphs the font's variation sequences pull
    in can lie past the last one used: then WeasyPrint's two passes are made."""
    from weasyprint.pdf import fonts as pdf_fonts
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    if not (harfbuzz_subset and harfbuzz.hb_version_atleast(4, 1, 0)):
        return
    two_passes = pdf_fonts.Font._harfbuzz_subset

    def subset_once(self, to_unicode, hinting):
        face = _harfbuzz_subset(
            self.hb_face, to_unicode, hinting=hinting, keep_ids=True, notdef_outline=bool(self.missing)
        )
        if face and harfbuzz.hb_face_get_glyph_count(face) > max(to_unicode) + 1:
            # A glyph pulled in by the font's variation sequences sits past the last one used: the second pass moves it.
            return two_passes(self, to_unicode, hinting)
        if face and (content := pdf_fonts.get_hb_object_data(face)):
            self.file_content = content
        else:
            pdf_fonts.LOGGER.warning('Unable to subset "%s" with HarfBuzz', self.family)

    pdf_fonts.Font._harfbuzz_subset = subset_once


def _deflate_pages_as_painted():
    """A page's content is complete once it is painted: it is compressed on the PDF threads while the next pages
    are painted, rather than with the other streams at the end (`_deflate_streams` checks it is unchanged)."""
    from weasyprint import document

    original_paint = document.Page.paint

    @functools.wraps(original_paint)
    def paint(self, stream, scale=1):
        original_paint(self, stream, scale)
        if stream.compress and stream.stream and all(isinstance(part, bytes) for part in stream.stream):
            parts = list(stream.stream)
            stream.deflated = parts, _pdf_threads().submit(_deflate_parts, parts)

    document.Page.paint = paint


def _read_glyphs_in_bulk_when_drawing():
    """Drawing a line, WeasyPrint reads each glyph's id, advance and offsets from Pango's glyph string one field
    at a time through cffi (some 9,000 glyphs an issue, a tenth of a render). The glyph string is read here as
    one block of integers, and the line's text operators are built as WeasyPrint builds them. Lines that need
    more than glyph ids and advances (an ellipsis, a glyph raised or missing, colour or bitmap fonts) are drawn
    by WeasyPrint's own code."""
    from weasyprint.draw import text as draw_text
    from weasyprint.text.ffi import FROM_UNITS, ffi, pango

    original_draw_first_line = draw_text.draw_first_line
    empty, unknown = pango.PANGO_GLYPH_EMPTY, pango.PANGO_GLYPH_UNKNOWN_FLAG
    stride = ffi.sizeof("PangoGlyphInfo") // 4  # glyph, then width, x_offset and y_offset, then attributes
    old_pango = pango.pango_version() < 14802

    def glyph_operators(stream, textbox, first_line) -> list | None:
        """[(font, size) or TJ string, …] for the line, or None where WeasyPrint's own code is needed."""
        operators, previous_pango_font, string, utf8_text = [], None, "", None
        font = font_size = None
        run = first_line.runs[0]
        while run != ffi.NULL:
            glyph_item = run.data
            run = run.next
            glyph_string = glyph_item.glyphs
            count = glyph_string.num_glyphs
            pango_font = glyph_item.item.analysis.font
            if pango_font != previous_pango_font:
                previous_pango_font = pango_font
                font, font_size = stream.add_font(pango_font)
                if font.svg or font.png or font.colr or font.bitmap:
                    return None
                if old_pango:
                    font_size = textbox.style["font_size"]
                if string:
                    operators.append(string)
                string = ""
                operators.append((font, font_size))
            block = ffi.buffer(glyph_string.glyphs, count * stride * 4)
            ids, numbers = memoryview(block).cast("I"), memoryview(block).cast("i")
            clusters = memoryview(ffi.buffer(glyph_string.log_clusters, count * 4)).cast("i")
            item = glyph_item.item
            rtl = item.analysis.level % 2
            to_unicode, widths = font.to_unicode, font.widths
            parts = ["<"]
            spacing = {}  # (x_offset, width, logical width) -> what goes before and after the glyph id
            for i in range(count):
                at = i * stride
                glyph_id, width, x_offset, y_offset = ids[at], numbers[at + 1], numbers[at + 2], numbers[at + 3]
                if glyph_id == empty:
                    parts.append(f">{-width / font_size}<")
                    continue
                if glyph_id & unknown or y_offset:
                    return None
                if glyph_id not in to_unicode:
                    start = clusters[i]
                    if rtl:
                        end = item.length if i == 0 else clusters[i - 1]
                    else:
                        end = item.length if i == count - 1 else clusters[i + 1]
                    utf8_text = utf8_text or textbox.pango_layout.text.encode()
                    to_unicode[glyph_id] = utf8_text[item.offset + start : item.offset + end].decode()
                logical_width = widths.get(glyph_id)
                if logical_width is None:
                    pango.pango_font_get_glyph_extents(pango_font, glyph_id, stream.ink_rect, stream.logical_rect)
                    logical_width = widths[glyph_id] = round(stream.logical_rect.width * 1000 * FROM_UNITS / font_size)
                around = spacing.get((x_offset, width, logical_width))
                if around is None:
                    offset = x_offset / font_size
                    kerning = logical_width + offset - width * 1000 * FROM_UNITS / font_size
                    around = spacing[x_offset, width, logical_width] = (
                        f">{-offset}<" if offset else "",
                        f">{int(kerning)}<" if kerning else "",
                    )
                parts.append(f"{around[0]}{glyph_id:04x}{around[1]}")
            string += "".join(parts)
            string = string[:-1] if string[-1] == "<" else string + ">"
        operators.append(string)
        return operators

    @functools.wraps(original_draw_first_line)
    def draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):
        if (
            text_overflow == "ellipsis"
            or block_ellipsis != "none"
            or not textbox.text.strip()
            or textbox.style["font_size"] < 1e-6
        ):
            return original_draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix)
        pango.pango_layout_set_single_paragraph_mode(textbox.pango_layout.layout, True)
        first_line, _index = textbox.pango_layout.get_first_line()
        operators = glyph_operators(stream, textbox, first_line)
        if operators is None:
            return original_draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix)
        stream.set_text_matrix(*matrix.values)
        for operator in operators:
            if isinstance(operator, str):
                stream.show_text(operator)
            else:
                font, font_size = operator
                stream.set_font_size(font.hash, font_size)
        return []

    draw_text.draw_first_line = draw_first_line


def _embed_cid_fonts_as_bare_cff():
    """The CJK fonts are CID-keyed CFF: their charset names each glyph's CID, and a PDF reader finds a glyph by
    the CID the page gives when the font is embedded as bare CFF (FontFile3 /CIDFontType0C, Acrobat's own way).
    So the glyph ids need not be kept: HarfBuzz subsets without them, which leaves out the some 60,000 empty
    glyphs kept ids cost (an issue's PDF is half the size), in half the time. WeasyPrint names glyphs by id in
    the page and in the widths and ToUnicode maps, so this holds only for a font whose every CID is its glyph id,
    as in the Noto CJK fonts: the font's charset is checked once per process. Other fonts, fonts with glyphs
    missing (drawn as .notdef), variable fonts and colour fonts are subset as before."""
    import io

    from fontTools.cffLib import CFFFontSet
    from weasyprint.pdf import fonts as pdf_fonts
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset

    if not (harfbuzz_subset and harfbuzz.hb_version_atleast(4, 1, 0)):
        return
    keeping_ids = pdf_fonts.Font._harfbuzz_subset
    otf_or_ttf = pdf_fonts.Font.type
    cff_tag = harfbuzz.hb_tag_from_string(b"CFF ", -1)

    def cff_table(face) -> bytes:
        blob = ffi.gc(harfbuzz.hb_face_reference_table(face, cff_tag), harfbuzz.hb_blob_destroy)
        length = ffi.new("unsigned int *")
        data = harfbuzz.hb_blob_get_data(blob, length)
        return ffi.unpack(data, length[0]) if length[0] else b""

    def top_dict(cff: bytes):
        fonts = CFFFontSet()
        fonts.decompile(io.BytesIO(cff), None)
        return fonts.topDictIndex[0]

    faces = {}  # the face's address: (the face, kept so that the address stays its own; whether each CID is the id)

    def cids_are_glyph_ids(font) -> bool:
        """Whether the font is CID-keyed with each glyph's CID its glyph id (the Noto CJK fonts are): read from its
        charset once per process and face (some 50 ms for 65,000 glyphs)."""
        key = int(ffi.cast("uintptr_t", font.hb_face))
        if key not in faces:
            top = top_dict(cff_table(font.hb_face))
            same = hasattr(top, "ROS") and all(name == f"cid{gid:05d}" for gid, name in enumerate(top.charset) if gid)
            faces[key] = font.hb_face, same
        return faces[key][1]

    def cid_keyed_subset(font, to_unicode, hinting) -> bytes | None:
        """The font's bare CFF with only the glyphs used, renumbered; None unless every CID is its glyph id."""
        if not cids_are_glyph_ids(font):
            return None
        face = _harfbuzz_subset(font.hb_face, to_unicode, hinting=hinting, keep_ids=False)
        cff = cff_table(face) if face else b""
        if not cff:
            return None
        cids = {int(name.removeprefix("cid")) for name in top_dict(cff).charset if name != ".notdef"}
        return cff if set(to_unicode) - {0} <= cids else None  # each glyph the pages name, under its id

    @functools.wraps(keeping_ids)
    def subset(self, to_unicode, hinting):
        plain_cff = "CFF " in self.tables and "fvar" not in self.tables and not self.missing
        plain_cff = plain_cff and not (self.png or self.svg or self.colr)  # colour glyphs are removed from a TTFont
        if plain_cff and (cff := cid_keyed_subset(self, to_unicode, hinting)) is not None:
            self.file_content, self.bare_cff = cff, True
            return
        keeping_ids(self, to_unicode, hinting)

    def font_type(self):
        return "otf" if getattr(self, "bare_cff", False) else otf_or_ttf.fget(self)

    pdf_fonts.Font._harfbuzz_subset = subset
    pdf_fonts.Font.type = property(font_type)  # FontFile3 and CIDFontType0, as for an OpenType CFF font


def _bare_cff_fonts_named(document, pdf):
    """Gives the streams of bare CFF fonts their subtype (WeasyPrint writes /OpenType for any CFF font)."""
    bare = {id(font.file_content) for font in document.fonts.values() if getattr(font, "bare_cff", False)}
    for item in pdf.objects:
        if isinstance(item, pydyf.Stream) and len(item.stream) == 1 and id(item.stream[0]) in bare:
            item.extra["Subtype"] = "/CIDFontType0C"


@functools.cache
def _pdf_threads() -> ThreadPoolExecutor:
    """Threads for the C work of writing a PDF (font subsetting, compression), made in the process that uses them."""
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="pdf")


_thread = threading.local()


def _font_config() -> FontConfiguration:
    """One font configuration per thread (Pango's font map is not shared across threads): it keeps the system
    fonts loaded between renders instead of reading them again for each issue."""
    if not hasattr(_thread, "font_config"):
        _thread.font_config = FontConfiguration()
    return _thread.font_config


def _after_fork_in_child():
    """A forked process (a web server's worker) has none of its parent's threads: it makes its own pool, its own
    font configuration, and its own lock on the 目录 pages known (another thread may have held the parent's)."""
    global _thread, _target_pages_lock
    _pdf_threads.cache_clear()
    _thread = threading.local()
    _target_pages_lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)


def _relies_on_page_total(lookup) -> bool:
    """Content that prints the page total, or whose target WeasyPrint does not follow (read from attr()): the
    latter is brought up to date only by the total changing."""
    targets = lookup.missing_target_counters
    return "pages" in lookup.missing_counters or None in targets or any("pages" in names for names in targets.values())


class AppURLFetcher(URLFetcher):
    """Serves only the app's own static and media files to WeasyPrint: no file://, no network.

    Stateless, so one per process (`app_url_fetcher`): making one sets up urllib's handlers and an SSL context.
    """

    def fetch(self, url, headers=None):
        path = resolve_local_url(url)
        if path is None:
            raise ValueError(f"Refused to fetch {url!r}: only the app's static and media files are used")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


@functools.cache
def app_url_fetcher() -> AppURLFetcher:
    return AppURLFetcher()


def resolve_local_url(url: str) -> Path | None:
    if not url.startswith(PDF_BASE_URL):
        return None
    path = "/" + url.removeprefix(PDF_BASE_URL).split("?")[0].split("#")[0]
    try:
        if path.startswith(settings.STATIC_URL):
            found = finders.find(path.removeprefix(settings.STATIC_URL))
            if found is None and settings.STATIC_ROOT:
                found = safe_join(settings.STATIC_ROOT, path.removeprefix(settings.STATIC_URL))
        elif path.startswith(settings.MEDIA_URL):
            found = safe_join(settings.MEDIA_ROOT, path.removeprefix(settings.MEDIA_URL))
        else:
            return None
    except Exception:  # safe_join refuses paths outside the root
        return None
    if not found or not Path(found).is_file():
        return None
    return Path(found)


def issue_document(issue, html: str | None = None):
    """The laid-out WeasyPrint document of the issue (pages, bookmarks), from `html` when it is already made."""
    patch_weasyprint()
    html = HTML(string=html or issue_html(issue), base_url=PDF_BASE_URL, url_fetcher=app_url_fetcher())
    with _target_pages_of(issue.pk):
        return html.render(font_config=_font_config(), stylesheets=[issue_stylesheet()])


def issue_stylesheet() -> CSS:
    """static/css/issue-pdf.css, parsed once per process (and again when the file changes)."""
    path = Path(finders.find("css/issue-pdf.css"))
    return _parsed_stylesheet(path, path.stat().st_mtime_ns)


@functools.cache
def _parsed_stylesheet(path: Path, _mtime: int) -> CSS:
    return CSS(filename=str(path), url_fetcher=app_url_fetcher())


def render_issue_pdf(issue, html: str | None = None) -> bytes:
    """The issue as a PDF (A4, the bulletin's layout), fonts embedded and subset."""
    with _cyclic_gc_paused():
        return issue_document(issue, html).write_pdf(finisher=_finish_pdf)


@contextlib.contextmanager
def _cyclic_gc_paused():
    """WeasyPrint makes about a million objects an issue, most of them kept until the document is written: the
    cyclic collector's passes over them in the meantime are wasted. It resumes afterwards, and collects what is
    left on its next pass (measured back to back, with that collection, renders take some 4% less)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _finish_pdf(document, pdf):
    _bare_cff_fonts_named(document, pdf)
    _deflate_streams(document, pdf)


def _deflate_streams(document, pdf):
    """Compress the PDF's streams at zlib's default level rather than pydyf's 9 (on the subset fonts, which are
    most of the file, half the time for a file 0.2% larger), on two threads: zlib releases the GIL. Pages and
    fonts compressed earlier on those threads are taken as they are, if their content has not changed since."""
    streams = [
        item
        for item in pdf.objects
        if isinstance(item, pydyf.Stream) and item.compress and all(isinstance(part, bytes) for part in item.stream)
    ]
    fonts = getattr(document, "fonts", {}).values()
    fonts = {id(font.deflated[0]): font.deflated for font in fonts if hasattr(font, "deflated")}
    done, left = [], []
    for item in streams:
        page = getattr(item, "deflated", None)
        font = fonts.get(id(item.stream[0])) if len(item.stream) == 1 else None
        if page and page[0] == item.stream:
            done.append((item, page[1].result()))
        elif font and font[0] is item.stream[0]:
            done.append((item, font[1]))
        else:
            left.append(item)
    done += zip(left, _pdf_threads().map(_deflate, left), strict=True)
    for item, data in done:
        item.stream = [data]
        item.extra["Filter"] = "/FlateDecode"
        item.compress = False


def _deflate(stream: pydyf.Stream) -> bytes:
    return _deflate_parts(stream.stream)


def _deflate_parts(parts: list[bytes]) -> bytes:
    return zlib.compress(b"\n".join(parts), 6)
