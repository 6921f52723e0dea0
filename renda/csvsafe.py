"""CSV for people who use Excel: cells that never run as formulas (CSV injection) in every export, and the text of
an uploaded file whatever Excel saved it as."""

#: How a spreadsheet recognises a formula at the start of a cell.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text a spreadsheet would run as a formula (`=…`, `+…`, `-…`, `@…`) is kept as text: quoted. Numbers,
    dates and other values are returned as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def unquote_cell(value: str) -> str:
    """A cell read back from a file `safe_cell` wrote (or Excel saved): stripped, its quote before a formula
    character taken off."""
    value = (value or "").strip()
    return value[1:] if value.startswith("'") and value[1:2] and value[1:2] in FORMULA_START else value


def decode_upload(data: bytes) -> str:
    """The text of an uploaded CSV: UTF-8 (with or without BOM, Excel's “CSV UTF-8”), else GB18030, which is what
    Excel on a Chinese Windows writes for plain “CSV（逗号分隔）” (GBK is a subset). ValueError, in Chinese, for
    anything else (a spreadsheet saved as .xlsx, a picture)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise ValueError("文件不是 CSV 文本（应为 UTF-8 或 GBK 编码），请在 Excel 中另存为“CSV UTF-8”。")
