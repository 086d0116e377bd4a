"""SQLAlchemy models: the data Storybot keeps."""

from storybot.models.library import Prompt, Setting
from storybot.models.profiles import Profile
from storybot.models.stories import Story, StoryPiece, StoryStatus
from storybot.models.types import UTCDateTime, utcnow

__all__ = [
    "Profile",
    "Prompt",
    "Setting",
    "Story",
    "StoryPiece",
    "StoryStatus",
    "UTCDateTime",
    "utcnow",
]
