"""One template, two documents: the report model as report.html and as report.pdf.

page = render_html(model)          # self-contained: pictures and charts inline
pdf = render_pdf(page)             # WeasyPrint (needs Pango: scripts/setup.sh)
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from ergorisk.report.model import Report


@cache
def _template():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ergorisk.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("report.html.j2")


def _css() -> str:
    return (resources.files("ergorisk.report") / "templates" / "report.css").read_text("utf-8")


def render_html(report: Report) -> str:
    """The report as one HTML page (print CSS included): it opens offline and prints as A4."""
    from ergorisk import __version__

    return _template().render(r=report, css=_css(), version=__version__)


def render_pdf(page: str) -> bytes:
    """The same page laid out as an A4 PDF."""
    import weasyprint

    return weasyprint.HTML(string=page).write_pdf()
