"""The debug-link protocol: wire format (`wire`) and codec (`codec`).

Import from here; the split between the two modules is an implementation detail.
"""

from .codec import (  # noqa: F401
    CrcError,
    FrameDecoder,
    FrameError,
    Message,
    PayloadError,
    VersionError,
    cobs_decode,
    cobs_encode,
    decode_frame,
    encode,
    frame_bytes,
    split_frame,
)
from .wire import *  # noqa: F401,F403
from .wire import IMAGE_HEADER_SIZE, ImageHeader, ImageHeaderBody, crc32  # noqa: F401
from .image import build_image, header_fields, parse_image  # noqa: F401
