"""HTML to PDF with WeasyPrint, for the monthly report and the evidence pack."""


def html_to_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint is slow to import and only the documents need it.
    from weasyprint import HTML

    # No base_url: the documents are self-contained and must not fetch anything.
    return bytes(HTML(string=html).write_pdf())
