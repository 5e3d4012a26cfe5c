"""Which optional part of platekeeper (`pip install 'platekeeper[EXTRA]'`) provides a module.

`pip install platekeeper` is the server and the command line; commands of the other parts
import their libraries when they run, so a missing one is named with the extra to install
instead of a traceback.
"""

from __future__ import annotations

#: Top-level modules that only an extra installs, and that extra.
EXTRA_OF_MODULE = {
    "numpy": "recognition",
    "cv2": "recognition",
    "onnxruntime": "recognition",
    "rapidocr_onnxruntime": "recognition",
    "httpx": "agent",
    "paho": "agent",
}


#: Commands that need more than the extra of the first module they miss (the agent needs
#: `agent`, which brings `recognition` along, even when numpy is the first import to fail).
EXTRA_OF_COMMAND = {"agent": "agent", "bridge": "agent"}


def missing_extra(error: BaseException, command: str | None = None) -> str | None:
    """One line naming the extra to install when `error` comes from a module an extra provides
    (directly, or as the cause of an error raised while handling it), else None."""
    module = _missing_module(error)
    if module is None:
        return None
    extra = EXTRA_OF_COMMAND.get(command or "", EXTRA_OF_MODULE[module])
    return (
        f"this command needs the {extra} part of platekeeper (module {module!r} is missing): "
        f"pip install 'platekeeper[{extra}]'"
    )


def _missing_module(error: BaseException | None) -> str | None:
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, ModuleNotFoundError):
            module = (error.name or "").partition(".")[0]
            if module in EXTRA_OF_MODULE:
                return module
        error, seen = error.__cause__ or error.__context__, seen + 1
    return None
