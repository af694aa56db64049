"""Job descriptions are written in Markdown and shown as sanitised HTML."""

import re
import threading
from html.parser import HTMLParser

import markdown as md
import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "b",
    "i",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


_converters = threading.local()


def _converter() -> md.Markdown:
    # Building a Markdown instance (loading its extensions) costs as much as converting a job
    # description; an ATS sync renders thousands. Instances are not thread-safe: one per thread.
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = md.Markdown(extensions=["extra", "sane_lists"], output_format="html")
    return converter


def render_markdown(source: str) -> str:
    """Markdown to HTML that is safe to show: no scripts, no event handlers, only http(s)/mailto links."""
    html = _converter().reset().convert(source or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )


# --- HTML from an ATS, to our Markdown ---------------------------------------------------------

_BLOCKS = {"p", "div", "section", "article", "header", "footer", "table", "tr", "dl", "dt", "dd", "figure"}
_HEADINGS = {"h1": "## ", "h2": "## ", "h3": "### ", "h4": "#### ", "h5": "##### ", "h6": "###### "}
_SKIP = {"script", "style", "head", "title", "iframe", "object", "noscript", "template", "svg", "math"}
_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>"})


class _MarkdownWriter(HTMLParser):
    """A small HTML → Markdown converter for job descriptions: paragraphs, headings, lists, emphasis,
    links, quotes and line breaks survive; everything else becomes its text. Never raises."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[list] = []  # per open list: [kind, next number]
        self.skip = 0
        self.link: str | None = None
        self.quote = 0
        self.pre = 0
        self.has_text = False

    def _newlines(self, count: int = 2) -> None:
        """End the current line or block (nothing before the first text)."""
        if not self.has_text:
            return
        trailing = 0
        for chunk in reversed(self.out):
            stripped = chunk.rstrip("\n")
            trailing += len(chunk) - len(stripped)
            if stripped:
                break
        if count > trailing:
            self.out.append("\n" * (count - trailing))

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self.skip += 1
        elif self.skip:
            return
        elif tag in _HEADINGS:
            self._newlines()
            self.out.append(_HEADINGS[tag])
        elif tag in _BLOCKS:
            self._newlines()
        elif tag == "br":
            self.out.append("  \n" + "> " * self.quote)
        elif tag == "hr":
            self._newlines()
            self.out.append("---")
            self._newlines()
        elif tag in ("ul", "ol"):
            self._newlines(1 if self.lists else 2)
            self.lists.append([tag, 1])
        elif tag == "li":
            self._newlines(1)
            indent = "    " * max(0, len(self.lists) - 1)
            if self.lists and self.lists[-1][0] == "ol":
                self.out.append(f"{indent}{self.lists[-1][1]}. ")
                self.lists[-1][1] += 1
            else:
                self.out.append(f"{indent}- ")
        elif tag in ("strong", "b"):
            self.out.append("**")
        elif tag in ("em", "i"):
            self.out.append("*")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith(("http://", "https://", "mailto:")):
                self.link = href
                self.out.append("[")
        elif tag == "blockquote":
            self._newlines()
            self.quote += 1
            self.out.append("> ")
        elif tag == "pre":
            self._newlines()
            self.pre += 1
            self.out.append("```\n")
        elif tag == "code" and not self.pre:
            self.out.append("`")

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif self.skip:
            return
        elif tag in _HEADINGS or tag in _BLOCKS:
            self._newlines()
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._newlines(1 if self.lists else 2)
        elif tag in ("strong", "b"):
            self.out.append("**")
        elif tag in ("em", "i"):
            self.out.append("*")
        elif tag == "a" and self.link:
            self.out.append(f"]({self.link.replace(')', '%29').replace(' ', '%20')})")
            self.link = None
        elif tag == "blockquote":
            self.quote = max(0, self.quote - 1)
            self._newlines()
        elif tag == "pre" and self.pre:
            self.pre -= 1
            self.out.append("\n```")
            self._newlines()
        elif tag == "code" and not self.pre:
            self.out.append("`")

    def handle_data(self, data):
        if self.skip:
            return
        if self.pre:
            self.out.append(data.replace("```", "'''"))
            self.has_text = True
            return
        text = " ".join(data.split())
        if not text:
            if data and self.out and not self.out[-1].endswith((" ", "\n")):
                self.out.append(" ")
            return
        if data[:1].isspace() and self.out and not self.out[-1].endswith((" ", "\n")):
            text = " " + text
        if data[-1:].isspace():
            text += " "
        text = text.translate(_MARKDOWN_SPECIAL)
        # A line (or list item) that starts like a Markdown block ("1. ", "# ", "- ") is text here.
        if not self.out or self.out[-1].endswith("\n") or _ITEM_MARKER.search(self.out[-1]):
            text = _LINE_START.sub(lambda m: m.group(1) + _escape_marker(m.group(2)), text)
        self.out.append(text)
        self.has_text = True


_LINE_START = re.compile(r"^(\s*)([#+\-]|\d+\.)(?=\s)")
_ITEM_MARKER = re.compile(r"^\s*(-|\d+\.|#+|>) $")


def _escape_marker(marker: str) -> str:
    return marker[:-1] + "\\." if marker.endswith(".") else "\\" + marker


def html_to_markdown(source: str, limit: int = 50_000) -> str:
    """An ATS's HTML job description as our Markdown (which render_markdown turns into sanitised
    HTML). Scripts, styles and unsafe links are dropped; the result is at most `limit` characters."""
    writer = _MarkdownWriter()
    writer.feed(source or "")
    writer.close()
    text = "".join(writer.out)
    lines = [line.rstrip() if not line.endswith("  ") else line for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text[:limit]
