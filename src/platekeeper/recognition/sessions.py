"""ONNX Runtime sessions: created lazily, once per model file and thread setting."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from platekeeper.recognition import onnx_graph

_LOCK = threading.Lock()
_SESSIONS: dict[tuple[str, int, bool], Any] = {}


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


def session(path: Path, *, threads: int = 1, simplify: bool = False) -> Any:
    """Return a shared `onnxruntime.InferenceSession` for `path` using `threads` intra-op threads;
    with `simplify`, of the graph rewritten into fewer kernels (`onnx_graph.simplify`).

    Sessions are cached: one model file loaded with one thread count is loaded once per process,
    however many engine instances use it.
    """
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    key = (str(path), threads, simplify)
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
        # The arena without a memory pattern: tensors come from the arena one by one, so the
        # memory freed by one is reused within a run and across runs. Without the arena every
        # run mapped its memory afresh and faulted it in (about 5 s of system time over the 111
        # US development photos, against 0.4 s now); a pattern (one block per run and input
        # shape) held more: peak RSS 537-604 MB in a US run without the arena, 428 MB now.
        options.enable_cpu_mem_arena = True
        options.enable_mem_pattern = False
        options.log_severity_level = 3
        model = onnx_graph.simplify(path.read_bytes()) if simplify else str(path)
        created = onnxruntime.InferenceSession(
            model, sess_options=options, providers=["CPUExecutionProvider"]
        )
        _SESSIONS[key] = created
        return created
