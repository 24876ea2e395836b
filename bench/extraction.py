"""Article extraction benchmark: our HTML page loader against trafilatura, on the shared corpus.

Every page of `../shared/corpus/articles/` that has a reference output is extracted by both, and the
plain text of the result is compared with the reference:

* token precision / recall / F1 (bag of tokens; a CJK or Thai character counts as one token), per
  page, averaged per source set and overall. goose3 references are only a prefix of the body, so only
  their recall counts;
* paragraphs found: the share of the reference's paragraphs (10 characters or more) that appear in
  the extraction, comparing letters and digits only;
* trafilatura-eval references are snippets: the share of `with` snippets present and of `without`
  snippets (boilerplate) absent.

Also prints the time per page and what each extractor costs to import.
Usage: python bench/extraction.py [--only ours|trafilatura] [--pages]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tuinews.sources.decode import decode_bytes
from tuinews.sources.local import _declared_charset

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "articles"
_TOKENS = re.compile(
    r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]|\w+"
)
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass
class Reference:
    """What a page should give: full text (or a prefix), paragraphs, snippets in and out."""

    text: str = ""
    paragraphs: list[str] = field(default_factory=list)
    prefix_only: bool = False
    with_snippets: list[str] = field(default_factory=list)
    without_snippets: list[str] = field(default_factory=list)


@dataclass
class Score:
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None
    found: int = 0
    paragraphs: int = 0
    with_found: int = 0
    with_total: int = 0
    without_absent: int = 0
    without_total: int = 0
    seconds: float = 0.0
    failed: bool = False


def tokens(text: str) -> Counter[str]:
    return Counter(_TOKENS.findall(text.casefold()))


def squeeze(text: str) -> str:
    return _NOT_WORD.sub("", text.casefold())


def split_paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if len(line.strip()) >= 10]


def html_paragraphs(html: str) -> list[str]:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    out = []
    for node in tree.css("p, h1, h2, h3, h4, h5, h6, li, pre, blockquote, td, figcaption"):
        if any(
            child.tag in ("p", "li", "pre", "blockquote", "td")
            for child in node.traverse()
            if child is not node and child.mem_id != node.mem_id
        ):
            continue  # a container: its children count instead
        text = " ".join(node.text(deep=True, separator=" ").split())
        if len(text) >= 10:
            out.append(text)
    return out


def load_pages() -> list[tuple[str, str, Path, Reference]]:
    """(set, name, page, reference) for every page with a usable reference."""
    pages = []
    for page in sorted(CORPUS.rglob("*.html")):
        group = page.relative_to(CORPUS).parts[0]
        if ".expected." in page.name or page.name == "expected.html":
            continue
        ref = Reference()
        if group == "readability":
            expected = page.parent / "expected.html"
            if not expected.exists():
                continue
            ref.paragraphs = html_paragraphs(expected.read_text(encoding="utf-8"))
            ref.text = "\n".join(ref.paragraphs)
            name = page.parent.name
        else:
            name = page.name.removesuffix(".html")
            meta_path = page.with_name(name + ".expected.json")
            txt_path = page.with_name(name + ".expected.txt")
            meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
            if txt_path.exists():
                ref.text = txt_path.read_text(encoding="utf-8")
            elif "articleBody" in meta:
                ref.text = meta["articleBody"]
            elif "expected" in meta and meta["expected"].get("cleaned_text"):
                ref.text = meta["expected"]["cleaned_text"]
                ref.prefix_only = True
            elif "with" in meta:
                ref.with_snippets = list(meta.get("with") or [])
                ref.without_snippets = list(meta.get("without") or [])
            else:
                continue
            ref.paragraphs = split_paragraphs(ref.text)
            if ref.prefix_only and ref.paragraphs:
                ref.paragraphs = ref.paragraphs[:-1] or ref.paragraphs  # the last may be cut off
        pages.append((group, name, page, ref))
    return pages


def decode(page: Path) -> str:
    data = page.read_bytes()
    return decode_bytes(data, str(page), _declared_charset(data))


def ours(html: str, where: str) -> str:
    from tuinews.sources.html import parse_html

    article = parse_html(html, where)
    return "\n".join(article.paragraphs)


def trafilatura_text(html: str, where: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=None, include_comments=False, include_tables=True) or ""


def score(extracted: str, ref: Reference) -> Score:
    result = Score()
    got = tokens(extracted)
    if ref.text:
        want = tokens(ref.text)
        common = sum((got & want).values())
        result.recall = common / max(sum(want.values()), 1)
        if not ref.prefix_only:
            result.precision = common / max(sum(got.values()), 1)
            p, r = result.precision, result.recall
            result.f1 = 2 * p * r / (p + r) if p + r else 0.0
    flat = squeeze(extracted)
    result.paragraphs = len(ref.paragraphs)
    result.found = sum(1 for para in ref.paragraphs if squeeze(para) in flat)
    result.with_total = len(ref.with_snippets)
    result.with_found = sum(1 for s in ref.with_snippets if squeeze(s) in flat)
    result.without_total = len(ref.without_snippets)
    result.without_absent = sum(1 for s in ref.without_snippets if squeeze(s) not in flat)
    return result


def run(extract: Callable[[str, str], str], pages, show_pages: bool) -> dict[str, list[Score]]:
    by_group: dict[str, list[Score]] = {}
    extract(decode(pages[0][2]), "warm-up")  # first-use costs (language detector) are not counted
    for group, name, page, ref in pages:
        html = decode(page)
        start = time.perf_counter()
        try:
            text = extract(html, str(page))
            failed = False
        except Exception as error:  # one page's bug must not stop the benchmark
            print(f"  {group}/{name}: {type(error).__name__}: {error}", file=sys.stderr)
            text, failed = "", True
        elapsed = time.perf_counter() - start
        result = score(text, ref)
        result.seconds, result.failed = elapsed, failed
        by_group.setdefault(group, []).append(result)
        if show_pages:
            f1 = f"{result.f1:.3f}" if result.f1 is not None else "  -  "
            print(f"  {group:17} {name[:40]:40} F1 {f1}  paras {result.found}/{result.paragraphs}")
    return by_group


def _mean(values: list[float | None]) -> str:
    present = [v for v in values if v is not None]
    return f"{statistics.fmean(present):.3f}" if present else "  -  "


def summarise(label: str, by_group: dict[str, list[Score]]) -> None:
    print(f"\n== {label}")
    header = f"{'set':17} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} {'paras found':>16} {'with':>8} {'w/o':>8} {'ms/page':>8}"
    print(header)
    everything: list[Score] = []
    for group in sorted(by_group):
        _line(group, by_group[group])
        everything += by_group[group]
    _line("ALL", everything)


def _line(name: str, scores: list[Score]) -> None:
    found, total = sum(s.found for s in scores), sum(s.paragraphs for s in scores)
    paras = f"{found}/{total} {100 * found / total:5.1f}%" if total else "-"
    with_total = sum(s.with_total for s in scores)
    without_total = sum(s.without_total for s in scores)
    with_share = (
        f"{100 * sum(s.with_found for s in scores) / with_total:.0f}%" if with_total else "-"
    )
    without_share = (
        f"{100 * sum(s.without_absent for s in scores) / without_total:.0f}%"
        if without_total
        else "-"
    )
    ms = 1000 * statistics.fmean(s.seconds for s in scores)
    print(
        f"{name:17} {len(scores):>5} {_mean([s.precision for s in scores]):>6}"
        f" {_mean([s.recall for s in scores]):>6} {_mean([s.f1 for s in scores]):>6}"
        f" {paras:>16} {with_share:>8} {without_share:>8} {ms:>8.1f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("ours", "trafilatura"))
    parser.add_argument("--pages", action="store_true", help="print every page's score")
    args = parser.parse_args()
    if not CORPUS.exists():
        print(f"{CORPUS} is not available", file=sys.stderr)
        return 1
    pages = load_pages()
    print(f"{len(pages)} pages with a reference under {CORPUS}")
    extractors: list[tuple[str, Callable[[str, str], str], str]] = [
        ("ours (tuinews.sources.html)", ours, "tuinews.sources.html"),
        ("trafilatura", trafilatura_text, "trafilatura"),
    ]
    for label, extract, module in extractors:
        if args.only and not label.startswith(args.only):
            continue
        start = time.perf_counter()
        try:
            __import__(module)
        except ImportError:
            print(f"\n== {label}: not installed")
            continue
        print(f"\nimport {module}: {1000 * (time.perf_counter() - start):.0f} ms")
        summarise(label, run(extract, pages, args.pages))
    return 0


if __name__ == "__main__":
    sys.exit(main())
