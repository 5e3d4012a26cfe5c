"""ONNX Runtime sessions: created lazily, once per model file and thread setting."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

_LOCK = threading.Lock()
_SESSIONS: dict[tuple[str, int], Any] = {}


def rapidocr_model_path(name: str) -> Path:
    """Return the path of a model file shipped inside the installed `rapidocr_onnxruntime` wheel."""
    try:
        import rapidocr_onnxruntime
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise RuntimeError(
            "rapidocr-onnxruntime is not installed; install platekeeper's dependencies "
            "(pip install rapidocr-onnxruntime) to get the text detection and recognition models"
        ) from exc
    path = Path(rapidocr_onnxruntime.__file__).parent / "models" / name
    if not path.is_file():
        raise RuntimeError(
            f"model {name} is missing from the rapidocr_onnxruntime package at {path}"
        )
    return path


def shipped_model_path(name: str) -> Path:
    """Return the path of a model file shipped in `platekeeper/recognition/models/`."""
    path = Path(__file__).parent / "models" / name
    if not path.is_file():
        raise RuntimeError(f"model {name} is missing from {path.parent}; reinstall platekeeper")
    return path


def session(path: Path, *, threads: int = 1) -> Any:
    """Return a shared `onnxruntime.InferenceSession` for `path` using `threads` intra-op threads.

    Sessions are cached: one model file loaded with one thread count is loaded once per process,
    however many engine instances use it.
    """
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    key = (str(path), threads)
    with _LOCK:
        cached = _SESSIONS.get(key)
        if cached is not None:
            return cached
        try:
            import onnxruntime
        except ImportError as exc:  # pragma: no cover - a dependency of the project
            raise RuntimeError("onnxruntime is not installed: pip install onnxruntime") from exc
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        # The arena keeps the largest activation ever needed (a 1280 px second look) for the
        # life of the process; freeing after each run keeps peak memory near one frame's need.
        options.enable_cpu_mem_arena = False
        options.log_severity_level = 3
        created = onnxruntime.InferenceSession(
            str(path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        _SESSIONS[key] = created
        return created
