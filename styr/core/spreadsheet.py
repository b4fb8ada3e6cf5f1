"""Text that people wrote, in files that spreadsheet programs open (CSV, Excel): never a formula.

Excel and LibreOffice read a cell that begins with =, +, -, @, a tab or a carriage return as a
formula, so a goal title like =HYPERLINK(...) in a download would run when the file is opened (CSV
injection, OWASP). The rule is the same for every download: a text cell that begins so is marked
as text, never changed otherwise; numbers, dates and truth values are cells of their own type and
are left alone, so a negative number stays a number. CSV has no cell types, so there the text gets
the leading apostrophe OWASP recommends (`csv_text`); an Excel workbook stores text as text and
marks it with the apostrophe Excel itself uses, the cell's quote prefix (`guard_workbook`).
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def starts_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def csv_text(text: str) -> str:
    """A text cell of a CSV file: with a leading apostrophe if it would begin a formula."""
    return "'" + text if starts_like_formula(text) else text


def guard_workbook(workbook) -> None:
    """Every text cell of an openpyxl workbook as text: openpyxl stores a string beginning with =
    as a formula unless told otherwise. One that would begin a formula also gets the quote prefix,
    so that Excel keeps it as text when someone edits the cell. Call it before saving."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                    if starts_like_formula(cell.value):
                        cell.quotePrefix = True
