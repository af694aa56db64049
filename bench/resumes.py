"""The local resume parser's accuracy on the corpus in tests/resume_corpus (PDF and DOCX files with
ground truth): names, skills precision/recall/F1, jobs and schools, and what it got wrong.

    .venv/bin/python bench/resumes.py            # figures, and the misses with --misses
    .venv/bin/python bench/resumes.py --misses

Text comes out of the files exactly as in production (app.integrations.documents.extract_text),
then goes through app.integrations.ai.local_parser.parse_resume. No services needed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from resume_corpus import load, score  # noqa: E402

from app.integrations.ai.local_parser import parse_resume  # noqa: E402
from app.integrations.documents import extract_text  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list every field the parser got wrong")
    args = parser.parse_args()
    started = time.perf_counter()
    result = score(extract_text, parse_resume)
    elapsed = time.perf_counter() - started
    layouts = sorted({t["layout"] for t in load()})
    print(f"corpus: {result.resumes} resumes ({', '.join(layouts)}), {elapsed * 1000 / result.resumes:.0f} ms each")
    print(f"names:   {result.names}/{result.resumes} ({result.names / result.resumes:.0%})")
    print(f"skills:  P {result.precision:.2f}  R {result.recall:.2f}  F1 {result.f1:.2f}")
    print(f"jobs:    {result.jobs_right}/{result.jobs_total} ({result.jobs:.0%})")
    print(f"schools: {result.schools_right}/{result.schools_total} ({result.schools:.0%})")
    if args.misses:
        print("\n".join(["", "misses:"] + result.misses))


if __name__ == "__main__":
    main()
