"""Loading benchmark: 1,000 local files into an empty cache, a reload with nothing changed, a 25 MB file.

Targets (issue 3): 1,000 files <= 2 s; the 25 MB text file loads "in seconds".
Usage: python bench/load_files.py [--files 1000] [--big-mb 25]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from tuinews import library
from tuinews.model import Source, SourceKind
from tuinews.sources.local import load_file
from tuinews.store import Store

PARAGRAPHS = {
    "en": "The council approved the new tram line after a long debate about costs and routes.",
    "uk": "Міська рада схвалила нову трамвайну лінію після тривалої дискусії про вартість.",
    "de": "Der Stadtrat hat die neue Straßenbahnlinie nach langer Debatte über Kosten genehmigt.",
    "fr": "Le conseil municipal a approuvé la nouvelle ligne de tramway après un long débat.",
    "es": "El ayuntamiento aprobó la nueva línea de tranvía tras un largo debate sobre costes.",
}


def write_files(folder: Path, count: int) -> None:
    rng = random.Random(7)
    languages = list(PARAGRAPHS)
    for n in range(count):
        lang = languages[n % len(languages)]
        body = "\n\n".join(PARAGRAPHS[lang] * rng.randint(1, 4) for _ in range(rng.randint(3, 8)))
        kind = n % 3
        if kind == 0:
            text = f"Headline number {n}\n\n{body}\n"
            (folder / f"a{n}.txt").write_text(text, encoding="utf-8")
        elif kind == 1:
            text = f"---\ntitle: Headline {n}\ndate: 2026-11-{1 + n % 28:02d}\n---\n\n{body}\n"
            (folder / f"a{n}.md").write_text(text, encoding="utf-8")
        else:
            paras = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
            text = (
                f"<!doctype html><html lang='{lang}'><head><title>Headline {n}</title></head>"
                f"<body><nav>Home News</nav><article><h1>Headline {n}</h1>{paras}</article>"
                "<footer>© 2026</footer></body></html>"
            )
            (folder / f"a{n}.html").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--big-mb", type=int, default=25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "files"
        folder.mkdir()
        write_files(folder, args.files)
        source = Source(SourceKind.PATH, str(folder), "Files")
        with Store(Path(tmp) / "cache.db") as store:
            store.upsert_source(source)
            started = time.perf_counter()
            report = library.load_path_sources(store, [source], max_bytes=64 << 20)
            cold = time.perf_counter() - started
            started = time.perf_counter()
            again = library.load_path_sources(store, [source], max_bytes=64 << 20)
            warm = time.perf_counter() - started
        print(f"{args.files} files, cold: {cold:.2f} s ({report.summary()}) (target <= 2 s)")
        print(f"{args.files} files, unchanged reload: {warm:.2f} s ({again.summary()})")

        big = Path(tmp) / "big.txt"
        paragraph = PARAGRAPHS["en"] + " " + PARAGRAPHS["de"]
        with big.open("w", encoding="utf-8") as out:
            out.write("A very long report\n\n")
            while out.tell() < args.big_mb * 1024 * 1024:
                out.write(paragraph * 5 + "\n\n")
        started = time.perf_counter()
        article = load_file(big, max_bytes=64 << 20)
        elapsed = time.perf_counter() - started
        size = big.stat().st_size / 1024 / 1024
        print(
            f"{size:.0f} MB text file: {elapsed:.2f} s, {len(article.blocks)} blocks,"
            f" title {article.title!r}"
        )


if __name__ == "__main__":
    main()
