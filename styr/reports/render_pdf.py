"""A report as PDF: WeasyPrint lays out the same HTML document, with its print styles (page
numbers "Sida X av Y", a table of contents with page numbers). Headings h1–h4 become the PDF's
bookmarks (WeasyPrint's default `bookmark-level` for h1–h6), and the file is tagged as PDF/UA-1
(WeasyPrint 70's `pdf_variant="pdf/ua-1"`, which also turns on `pdf_tags`), in Swedish from the
document's `lang`."""

from django.conf import settings
from weasyprint import HTML

from .render_html import report_html
from .structure import Report


def report_pdf(report: Report) -> bytes:
    html = report_html(report)
    document = HTML(string=html, base_url=str(settings.BASE_DIR))
    return document.write_pdf(pdf_variant="pdf/ua-1")
