"""Exceptions of the rig.  Everything the user can cause or meet is a `RigError`; the CLI prints
its message as one line and exits non-zero, so messages must read well on their own."""

from __future__ import annotations


class RigError(Exception):
    """A failure to report to the user as one line (no traceback)."""


class LinkError(RigError):
    """The serial line itself failed: the port cannot be opened, or it went away."""


class LinkTimeout(LinkError):
    """The target did not answer in time, after all retries.  `bad_frames`: corrupt frames that
    arrived while waiting (a noisy line rather than a silent target)."""

    def __init__(self, text: str = "", bad_frames: int = 0):
        super().__init__(text)
        self.bad_frames = bad_frames


class RemoteError(RigError):
    """The target answered a request with an ERROR frame."""

    def __init__(self, code: int, text: str = "", request: int | None = None):
        from protocol import ErrorCode, MsgType

        self.code = code
        self.text = text
        self.request = request
        try:
            code_name = ErrorCode(code).name
        except ValueError:
            code_name = f"error {code}"
        try:
            req_name = MsgType(request).name if request is not None else None
        except ValueError:
            req_name = f"type 0x{request:02x}"
        where = f" to {req_name}" if req_name else ""
        detail = f": {text}" if text else ""
        super().__init__(f"target refused{where} with {code_name}{detail}")
