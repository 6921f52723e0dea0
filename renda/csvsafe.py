"""Spreadsheet cells that never run as formulas (CSV injection), for every export a person opens in Excel."""

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
