"""SQLAlchemy models: the data Storybot keeps."""

from storybot.models.accounts import ApiToken, Role, TokenUsage, User
from storybot.models.library import Prompt, Setting
from storybot.models.profiles import Profile
from storybot.models.stories import Story, StoryPiece, StoryStatus
from storybot.models.story_request import StoryRequest
from storybot.models.types import UTCDateTime, utcnow
from storybot.models.workers import StoryWorker

__all__ = [
    "ApiToken",
    "Profile",
    "Prompt",
    "Role",
    "Setting",
    "Story",
    "StoryPiece",
    "StoryRequest",
    "StoryStatus",
    "StoryWorker",
    "TokenUsage",
    "UTCDateTime",
    "User",
    "utcnow",
]
