"""The simplified PP-OCRv4 graphs compute what the shipped ones do, in fewer kernels."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from platekeeper.recognition.detection import DETECTOR_MODEL
from platekeeper.recognition.onnx_graph import _message_classes, simplify
from platekeeper.recognition.readers import RECOGNISER_MODEL
from platekeeper.recognition.sessions import rapidocr_model_path


def _run(model: str | bytes, batch: np.ndarray) -> np.ndarray:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    model_session = onnxruntime.InferenceSession(
        model, sess_options=options, providers=["CPUExecutionProvider"]
    )
    return model_session.run(None, {model_session.get_inputs()[0].name: batch})[0]


def _operators(model: bytes) -> Counter[str]:
    parsed = _message_classes()["Model"].FromString(model)
    return Counter(node.op_type for node in parsed.graph.node)


@pytest.mark.parametrize(
    ("name", "shape"), [(DETECTOR_MODEL, (1, 3, 96, 160)), (RECOGNISER_MODEL, (2, 3, 48, 200))]
)
def test_simplified_graph_computes_the_same_in_fewer_kernels(name, shape):
    """GIVEN a PP-OCRv4 model WHEN simplified THEN it gives the original's outputs (to float
    rounding) with no hard-swish Clip left and fewer nodes."""
    path = rapidocr_model_path(name)
    original = path.read_bytes()
    simplified = simplify(original)
    batch = np.random.default_rng(0).uniform(-1, 1, shape).astype(np.float32)
    np.testing.assert_allclose(_run(simplified, batch), _run(str(path), batch), atol=1e-4)
    before, after = _operators(original), _operators(simplified)
    assert before["Clip"] > 0
    assert after["Clip"] == 0
    assert after["HardSigmoid"] == before["HardSigmoid"] + before["Clip"]
    assert sum(after.values()) < sum(before.values())
