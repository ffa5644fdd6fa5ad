"""scamscreen: offline screening of job adverts for scam and trafficking-recruitment risk.

    >>> from scamscreen import screen
    >>> result = screen(advert_text)
    >>> result.score, result.band, [f.flag.id for f in result.flags]
"""

from scamscreen.errors import InputError, ModelError, ScamscreenError
from scamscreen.scoring import Assessment, ClassifierResult, FlagResult
from scamscreen.screener import Screener, screen, screen_many

__version__ = "0.1.0"

__all__ = [
    "Assessment",
    "ClassifierResult",
    "FlagResult",
    "InputError",
    "ModelError",
    "ScamscreenError",
    "Screener",
    "__version__",
    "screen",
    "screen_many",
]
