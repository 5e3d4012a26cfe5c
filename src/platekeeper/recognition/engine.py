"""The engine contract and the registry of engines by name."""

from __future__ import annotations

import abc
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from platekeeper.recognition.results import FrameRead, PlateRead

logger = logging.getLogger(__name__)

COUNTRIES = ("us", "eu")


class Engine(abc.ABC):
    """A plate recognition engine: finds plates in a frame and reads them.

    Contract (every engine, including test doubles):

    * An engine MUST NOT load model files in `__init__`; it SHALL load each model the first time
      it is needed and keep it for the life of the process. Constructing an engine is cheap.
    * An engine MUST NOT download anything, at run time or at first use. Weights come from
      installed packages or from files shipped in `platekeeper/recognition/models/`.
    * An engine using onnxruntime MUST use `threads` intra-op threads per session (default 1),
      so that a deployment decides how many cores recognition may take.
    * `read_frame` MUST accept a BGR `uint8` array of shape (H, W, 3) and MUST return a list of
      `PlateRead`, most confident first, possibly empty. It MUST NOT raise for an image without
      plates. It MUST NOT modify the array it is given.
    * Every `PlateRead.text` MUST be upper case A-Z/0-9 without separators, MUST equal
      `candidates[0].text`, and candidates SHALL be sorted by falling confidence, at most
      `top_n` of them, with confidences in [0, 1] and summing to at most 1.
    * `box` SHALL give the plate's corners in the coordinates of the frame given.
    * An engine instance is NOT required to be thread-safe: use one instance per thread.

    Subclasses implement `read_frame`; `read_image`, `read_video` and `recognize_file` come
    from this base class.
    """

    name: ClassVar[str] = ""

    def __init__(self, *, country: str = "us", threads: int = 1, top_n: int = 10) -> None:
        if country not in COUNTRIES:
            raise ValueError(f"country must be one of {', '.join(COUNTRIES)}, got {country!r}")
        if threads < 1:
            raise ValueError(f"threads must be at least 1, got {threads}")
        if top_n < 1:
            raise ValueError(f"top_n must be at least 1, got {top_n}")
        self.country = country
        self.threads = threads
        self.top_n = top_n

    @abc.abstractmethod
    def read_frame(self, frame: np.ndarray) -> list[PlateRead]:
        """Find and read the plates in one BGR frame."""

    def warm_up(self) -> None:
        """Load the models now (engines load lazily); the base class reads a blank frame."""
        self.read_frame(np.full((64, 128, 3), 127, dtype=np.uint8))

    def read_image(self, image: str | Path | np.ndarray) -> list[PlateRead]:
        """Read the plates in an image file or a BGR array."""
        return self.read_frame(load_image(image))

    def read_video(
        self,
        source: str | Path,
        *,
        every_n_frames: int = 3,
        max_frames: int | None = None,
        motion_threshold: float = 1.5,
    ) -> Iterator[FrameRead]:
        """Yield the reads of every `every_n_frames`-th frame of a video file or stream, in order.

        Motion gating (`video.MotionGate`): frames where nothing moved since the last frame read
        are skipped; `motion_threshold` 0 reads every frame.
        """
        from platekeeper.recognition.video import MotionGate, iter_frames

        gate = MotionGate(motion_threshold)
        for index, time_s, frame in iter_frames(
            source, every_n_frames=every_n_frames, max_frames=max_frames
        ):
            if gate.idle(frame):
                continue
            for read in self.read_frame(frame):
                yield FrameRead(frame_index=index, time_s=time_s, read=read)


def decode_image(data: bytes) -> np.ndarray | None:
    """The BGR uint8 frame an encoded image (JPEG, PNG, ...) holds, or None when `data` is no
    image OpenCV reads: an empty file among them, on which OpenCV asserts instead."""
    import cv2  # heavy; imported when first used

    return cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR) if data else None


def load_image(image: str | Path | np.ndarray) -> np.ndarray:
    """Return a BGR uint8 (H, W, 3) array from a path or an array (gray or BGRA accepted)."""
    import cv2  # heavy; imported when first used

    if isinstance(image, str | Path):
        path = Path(image)
        if not path.is_file():
            raise FileNotFoundError(f"no such image: {path}")
        frame = decode_image(path.read_bytes())
        if frame is None:
            raise ValueError(f"not a readable image: {path}")
        return frame
    array = np.asarray(image)
    if array.dtype != np.uint8:
        raise ValueError(f"images must be uint8 arrays, got {array.dtype}")
    if array.ndim == 2:
        return cv2.cvtColor(array, cv2.COLOR_GRAY2BGR)
    if array.ndim == 3 and array.shape[2] == 4:
        return cv2.cvtColor(array, cv2.COLOR_BGRA2BGR)
    if array.ndim == 3 and array.shape[2] == 3:
        return array
    raise ValueError(f"images must be (H, W), (H, W, 3) or (H, W, 4) arrays, got {array.shape}")


_REGISTRY: dict[str, type[Engine]] = {}
_BUILTIN_MODULES = ("default", "naive", "fake")


def register_engine(name: str) -> Callable[[type[Engine]], type[Engine]]:
    """Class decorator: make an `Engine` subclass available to `get_engine(name)`."""

    def decorate(cls: type[Engine]) -> type[Engine]:
        if not issubclass(cls, Engine):
            raise TypeError(f"{cls!r} is not an Engine")
        existing = _REGISTRY.get(name)
        if existing is not None and existing is not cls:
            raise ValueError(f"engine name {name!r} is taken by {existing.__qualname__}")
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return decorate


def _load_builtin_engines() -> None:
    import importlib

    for module in _BUILTIN_MODULES:
        try:
            importlib.import_module(f"platekeeper.recognition.engines.{module}")
        except ImportError:
            # A broken engine must not take the others down; say which and why.
            logger.exception("recognition engine %r could not be loaded", module)


def available_engines() -> list[str]:
    """Names of the engines that loaded, sorted."""
    _load_builtin_engines()
    return sorted(_REGISTRY)


def get_engine(name: str = "default", **options: Any) -> Engine:
    """Return a new engine by registered name; `options` go to its constructor."""
    _load_builtin_engines()
    try:
        cls = _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise ValueError(f"unknown recognition engine {name!r}; available: {known}") from None
    return cls(**options)
