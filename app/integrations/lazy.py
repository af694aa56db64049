"""A module imported on its first use, for the SDKs a web process may never call.

The payment SDK and the document readers cost a web worker about 36 MB of RSS between them
(stripe 9.5, pypdf 18, python-docx 8, measured on top of Flask and SQLAlchemy), and most workers
never take a payment or read a resume: text extraction runs in the RQ worker, and a web worker
meets pypdf only when someone uploads. On a 512 MB instance holding a 100k-job index that is the
difference between fitting and not (README, "Pages").

`stripe = lazy_module("stripe")` reads like `import stripe`; the import happens at the first
attribute read, under Python's import lock, so two threads asking at once get the same module.
(importlib.util.LazyLoader would do the same with less code, but is not thread-safe before 3.13.)
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType


class LazyModule:
    __slots__ = ("_name",)

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str):
        module: ModuleType | None = sys.modules.get(self._name)
        if module is None:
            module = importlib.import_module(self._name)
        return getattr(module, attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


def lazy_module(name: str) -> LazyModule:
    return LazyModule(name)
