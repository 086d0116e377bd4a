"""Export a story to read elsewhere: Markdown, a printable HTML page, or an EPUB 3 book.

Everything here is pure: a story goes in, text or bytes come out, and the same story always
gives the same bytes. A route picks a format with :func:`render_export` and sends a download.
"""

from __future__ import annotations

import io
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from string import Template

from storybot.quality.furigana import FuriganaSetting, annotate, plain_text, ruby_html


@dataclass(frozen=True)
class ExportableStory:
    """What an export needs to know about a story, apart from the database."""

    id: int
    uuid: str
    title: str
    text: str
    language: str
    reader_name: str | None
    created_at: datetime
    modified_at: datetime
    engine: str | None
    model: str | None
    reading_grade: float | None = None  # the measured level, as a school grade
    furigana: FuriganaSetting = field(default_factory=FuriganaSetting)  # how kanji are shown


EXPORT_FORMATS: dict[str, tuple[str, str]] = {
    "markdown": (".md", "text/markdown; charset=utf-8"),
    "html": (".html", "text/html; charset=utf-8"),
    "epub": (".epub", "application/epub+zip"),
}


@dataclass(frozen=True)
class _Words:
    untitled: str
    for_reader: str
    separator: str
    contents: str
    reading_level: str


_EN = _Words("Untitled story", "A story for {name}", " · ", "Contents", "Reading level: {grade}")
_JA = _Words("無題のおはなし", "{name}へのおはなし", "・", "もくじ", "読みやすさ：{grade}")
_MONTHS = "January February March April May June July August September October November December"

# XML 1.0 forbids most control characters; a model can still emit them.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_BLANK_LINE = re.compile(r"\n\s*\n")
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _NOT_XML_CHAR.sub("", text)


def _paragraphs(text: str) -> list[list[str]]:
    # Blank lines part paragraphs; single breaks stay (verse). Leading ideographic spaces stay
    # too: they are the usual paragraph indent in Japanese.
    paragraphs = []
    for block in _BLANK_LINE.split(_clean(text)):
        lines = [line.rstrip() for line in block.split("\n") if line.strip()]
        if lines:
            paragraphs.append(lines)
    return paragraphs


def _language(story: ExportableStory) -> str:
    tag = story.language.strip().replace("_", "-")
    return tag if _LANGUAGE_TAG.fullmatch(tag) else "und"


def _is_japanese(language: str) -> bool:
    return language.split("-")[0].lower() == "ja"


def _words(language: str) -> _Words:
    return _JA if _is_japanese(language) else _EN


def _title(story: ExportableStory) -> str:
    return " ".join(_clean(story.title).split()) or _words(_language(story)).untitled


def _utc(moment: datetime) -> datetime:
    # Naive datetimes come from SQLite; the app stores UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def grade_label(grade: float, language: str) -> str:
    """A measured grade in words: "about grade 2", 「小学2年生くらい」 (中学, 高校 past 6)."""
    whole = max(1, min(12, int(grade + 0.5)))  # halves round up, as in the web UI
    if not _is_japanese(language):
        return f"about grade {whole}"
    if whole <= 6:
        return f"小学{whole}年生くらい"
    return f"中学{whole - 6}年生くらい" if whole <= 9 else f"高校{whole - 9}年生くらい"


def _level(story: ExportableStory) -> str:
    """ " · Reading level: about grade 2" for the byline, or empty when unmeasured."""
    if story.reading_grade is None:
        return ""
    words = _words(_language(story))
    label = grade_label(story.reading_grade, _language(story))
    return words.separator + words.reading_level.format(grade=label)


def _shown(story: ExportableStory, text: str, *, ruby: bool) -> str:
    """Story text as HTML, with the reader's furigana: ruby when ``ruby``, else plain
    (in hiragana mode the kanji are written out either way). Always escaped."""
    mode = story.furigana.mode if _is_japanese(_language(story)) else "none"
    if mode == "none" or (not ruby and mode != "hiragana"):
        return escape(text)
    segments = annotate(text, mode, story.furigana.kanji_grade)
    return ruby_html(segments) if ruby else escape(plain_text(segments))


def _shown_plain(story: ExportableStory, text: str) -> str:
    """Story text without markup, in hiragana when the reader's mode asks for it."""
    mode = story.furigana.mode if _is_japanese(_language(story)) else "none"
    return plain_text(annotate(text, "hiragana")) if mode == "hiragana" else text


def _byline(story: ExportableStory) -> tuple[str, str, str]:
    """``(lead, date, ISO date)``: lead is "A story for Mia · " or empty without a reader."""
    language = _language(story)
    words = _words(language)
    day = _utc(story.created_at).date()
    if _is_japanese(language):
        date = f"{day.year}年{day.month}月{day.day}日"
    else:
        date = f"{day.day} {_MONTHS.split()[day.month - 1]} {day.year}"
    name = " ".join(_clean(story.reader_name or "").split())
    lead = words.for_reader.format(name=name) + words.separator if name else ""
    return lead, date, day.isoformat()


# --- Markdown ---------------------------------------------------------------------------------

_MD_ENTITY = re.compile(r"&(?=[A-Za-z][A-Za-z0-9]{1,31};|#[0-9]{1,7};|#[xX][0-9A-Fa-f]{1,6};)")
_MD_ORDERED = re.compile(r"(\d{1,9})([.)])")
_MD_LEADING = frozenset("#>+-*_=`~|")


def _markdown_inline(text: str) -> str:
    # Only what would turn story text into HTML, autolinks or entities; *stars* are left alone.
    return _MD_ENTITY.sub(r"\\&", text).replace("<", "\\<")


def _markdown_line(line: str) -> str:
    """Escape one line so that it stays paragraph text: no heading, list, quote, fence or HTML."""
    line = _markdown_inline(line.lstrip(" \t"))  # four spaces would start a code block
    if match := _MD_ORDERED.match(line):
        return f"{match.group(1)}\\{match.group(2)}{line[match.end() :]}"
    if line[:1] in _MD_LEADING:
        return "\\" + line
    return line


def to_markdown(story: ExportableStory) -> str:
    """Render the story as Markdown: a ``#`` title, a plain byline, then its paragraphs.

    Story text is escaped just enough that it cannot become a heading, list, quote, code
    block or raw HTML; line breaks inside a paragraph become hard breaks. No italics anywhere,
    which Japanese typography does not use.
    """
    title = _markdown_inline(_shown_plain(story, _title(story)))
    title = re.sub(r"(\s)(#+)$", r"\1\\\2", title)  # a trailing " #" would close the heading
    lead, date, _ = _byline(story)
    blocks = [f"# {title}", _markdown_line(lead + date + _level(story))]
    blocks += [
        "  \n".join(_markdown_line(_shown_plain(story, line)) for line in p)
        for p in _paragraphs(story.text)
    ]
    return "\n\n".join(blocks) + "\n"


# --- HTML and XHTML ---------------------------------------------------------------------------

_FONTS_EN = '"Atkinson Hyperlegible", Verdana, "Segoe UI", system-ui, sans-serif'
_FONTS_JA = (
    '"Noto Sans JP", "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic", YuGothic, '
    "Meiryo, sans-serif"
)

_READING_CSS = Template("""\
body { font-family: $fonts; line-height: $line_height; overflow-wrap: break-word; }
h1 { font-size: 1.8em; line-height: 1.3; margin: 0 0 0.4em; }
.byline { margin: 0 0 2em; padding-bottom: 1em; border-bottom: 1px solid #d9cfc1; }
p { margin: 0 0 1em; }
rt { font-size: 0.5em; }
""")

# Japanese is never set in italics; strict line breaking keeps small kana off line starts.
_JAPANESE_CSS = """\
body { line-break: strict; }
em, i, cite, address { font-style: normal; }
"""

_PAGE_CSS = Template("""\
:root { color-scheme: light dark; }
html { background: #fffaf2; color: #2d2723; }
body { font-size: 1.3rem; margin: 0; }
main { max-width: $measure; margin: 0 auto; padding: 3rem 1.5rem 4rem; }
h1 { text-wrap: balance; }
.byline { color: #6e6055; }
@media (prefers-color-scheme: dark) {
  html { background: #1f1b17; color: #e6dccf; }
  .byline { color: #b5a898; border-color: #4a4038; }
}
@page { margin: 2cm; }
@media print {
  html { background: #fff; color: #000; }
  body { font-size: 14pt; }
  main { max-width: none; padding: 0; }
  h1 { break-after: avoid; }
  .byline { color: #000; }
  p { orphans: 3; widows: 3; }
}
""")


def _reading_css(language: str) -> str:
    japanese = _is_japanese(language)
    css = _READING_CSS.substitute(
        fonts=_FONTS_JA if japanese else _FONTS_EN, line_height="1.8" if japanese else "1.6"
    )
    return css + _JAPANESE_CSS if japanese else css


def _article(story: ExportableStory, br: str) -> str:
    """The title, byline and paragraphs, escaped; valid both as HTML and as XHTML."""
    lead, date, iso_date = _byline(story)
    when = f'{escape(lead)}<time datetime="{iso_date}">{escape(date)}</time>'
    when += escape(_level(story))
    title = _shown(story, _title(story), ruby=True)
    lines = [f"<h1>{title}</h1>", f'<p class="byline">{when}</p>']
    for paragraph in _paragraphs(story.text):
        shown = (_shown(story, line, ruby=True) for line in paragraph)
        lines.append("<p>" + f"{br}\n".join(shown) + "</p>")
    return "\n".join(lines)


def _generator(story: ExportableStory) -> str:
    details = " / ".join(part for part in (story.engine, story.model) if part)
    return f"Storybot ({details})" if details else "Storybot"


def to_html(story: ExportableStory) -> str:
    """Render the story as one standalone, printable HTML page.

    Large type, about 65 characters a line (40 em for Japanese, with its font stack and a
    1.8 line height), night colours when the system asks, and print styles. No external
    resources; all story text is escaped, so markup in it shows as text.
    """
    language = _language(story)
    measure = "40em" if _is_japanese(language) else "65ch"
    css = _reading_css(language) + _PAGE_CSS.substitute(measure=measure)
    return f"""<!DOCTYPE html>
<html lang="{escape(language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="{escape(_generator(story))}">
<title>{escape(_title(story))}</title>
<style>
{css}</style>
</head>
<body>
<main><article>
{_article(story, "<br>")}
</article></main>
</body>
</html>
"""


# --- EPUB 3 -----------------------------------------------------------------------------------

_CONTAINER_XML = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""

_XHTML_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" \
xml:lang="{lang}" lang="{lang}">
<head>
<meta charset="utf-8" />
<title>{title}</title>
<link rel="stylesheet" type="text/css" href="style.css" />
</head>
"""


_ZIP_EPOCH = datetime(1980, 1, 1, tzinfo=UTC)  # the earliest date a ZIP entry can hold


def _book_id(story: ExportableStory) -> str:
    try:
        return str(uuid.UUID(story.uuid))
    except ValueError:
        # Still stable: the same story always gets the same identifier.
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"storybot:story:{story.id}:{story.uuid}"))


def _epub_time(moment: datetime) -> str:
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def _package_opf(story: ExportableStory, language: str, title: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="book-id" \
xml:lang="{language}">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="book-id">urn:uuid:{_book_id(story)}</dc:identifier>
    <dc:title>{title}</dc:title>
    <dc:language>{language}</dc:language>
    <dc:creator>Storybot</dc:creator>
    <dc:date>{_epub_time(story.created_at)}</dc:date>
    <meta property="dcterms:modified">{_epub_time(story.modified_at)}</meta>
  </metadata>
  <manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    <item id="story" href="story.xhtml" media-type="application/xhtml+xml"/>
    <item id="css" href="style.css" media-type="text/css"/>
  </manifest>
  <spine><itemref idref="story"/></spine>
</package>
"""


def to_epub(story: ExportableStory) -> bytes:
    """Build an EPUB 3 book holding the story as one chapter, with a table of contents.

    ``mimetype`` comes first and uncompressed, as readers require; entry dates come from the
    story's modification time, so the same story always gives the same bytes.
    """
    language = _language(story)
    title = escape(_title(story))
    head = _XHTML_HEAD.format(lang=escape(language), title=title)
    nav = (
        f'{head}<body>\n<nav epub:type="toc" id="toc">\n'
        f"<h1>{escape(_words(language).contents)}</h1>\n"
        f'<ol>\n<li><a href="story.xhtml">{title}</a></li>\n</ol>\n</nav>\n</body>\n</html>\n'
    )
    chapter = (
        f'{head}<body>\n<section epub:type="chapter" id="story">\n'
        f"{_article(story, '<br />')}\n</section>\n</body>\n</html>\n"
    )
    entries = [
        ("META-INF/container.xml", _CONTAINER_XML),
        ("OEBPS/content.opf", _package_opf(story, escape(language), title)),
        ("OEBPS/nav.xhtml", nav),
        ("OEBPS/story.xhtml", chapter),
        ("OEBPS/style.css", _reading_css(language)),
    ]
    when = max(_utc(story.modified_at), _ZIP_EPOCH)
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in [("mimetype", "application/epub+zip"), *entries]:
            info = zipfile.ZipInfo(name, date_time=stamp)
            # Readers sniff the type from the first bytes, so mimetype is stored, not deflated.
            stored = name == "mimetype"
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content.encode("utf-8"))
    return buffer.getvalue()


# --- Files ------------------------------------------------------------------------------------

_ASCII_SPELLING = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "ł": "l"}
    | {"Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "þ": "th", "Þ": "Th"}
)
_WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{port}{n}" for port in ("com", "lpt") for n in range(10)]
)
_SLUG_LENGTH = 60


def _slug(title: str) -> str:
    kept = []
    for char in unicodedata.normalize("NFKD", title.translate(_ASCII_SPELLING)):
        if char.isascii():
            kept.append(char)
        elif unicodedata.category(char)[0] in "LN":
            # A letter with no ASCII spelling (Japanese, Cyrillic...): a partial slug made of
            # the title's few Latin letters would mislead, so the caller falls back to the id.
            return ""
    text = "".join(kept).lower().replace("'", "")
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > _SLUG_LENGTH:
        slug = slug[: _SLUG_LENGTH + 1].rsplit("-", 1)[0][:_SLUG_LENGTH]  # at a word if it can
    return "" if slug in _WINDOWS_RESERVED else slug


def file_slug(text: str) -> str:
    """``text`` as an ASCII slug for a file name ("Mia's Moon" -> "mias-moon"), or empty
    when it has letters without an ASCII spelling (Japanese, for one): the caller picks a
    fallback such as an id."""
    return _slug(text)


def export_filename(story: ExportableStory, extension: str) -> str:
    """A safe file name for a download: an ASCII slug of the title plus the extension.

    ``extension`` may be given with or without its dot. Titles without an ASCII spelling
    (Japanese, for one) fall back to ``story-<id>``.
    """
    suffix = extension if extension.startswith(".") else f".{extension}"
    if not re.fullmatch(r"\.[A-Za-z0-9]{1,10}", suffix):
        raise ValueError(f"Not a file extension: {extension!r}; use letters and digits only.")
    return f"{_slug(story.title) or f'story-{story.id}'}{suffix.lower()}"


def render_export(story: ExportableStory, fmt: str) -> tuple[bytes, str, str]:
    """Render ``story`` in format ``fmt`` and return ``(body, content type, file name)``.

    ``fmt`` is a key of :data:`EXPORT_FORMATS`; any other value raises ``ValueError``.
    """
    if fmt not in EXPORT_FORMATS:
        known = ", ".join(EXPORT_FORMATS)
        raise ValueError(f"Unknown export format {fmt!r}; choose one of: {known}.")
    extension, content_type = EXPORT_FORMATS[fmt]
    if fmt == "epub":
        body = to_epub(story)
    else:
        body = (to_markdown if fmt == "markdown" else to_html)(story).encode("utf-8")
    return body, content_type, export_filename(story, extension)
