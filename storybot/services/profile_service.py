"""Reader profiles: who stories are for (deleting one, with their stories: family_data)."""

from __future__ import annotations

from sqlalchemy import func, select

from storybot.errors import InvalidInput, NotFound
from storybot.extensions import db
from storybot.models import Profile, utcnow
from storybot.schemas.profiles import ProfileCreate, ProfileUpdate
from storybot.services.ownership import get_owned, owned, owner_id


def list_profiles() -> list[Profile]:
    """Every reader, sorted by name."""
    query = select(Profile).where(owned(Profile)).order_by(func.lower(Profile.name), Profile.id)
    return list(db.session.scalars(query))


def get_profile(profile_id: int) -> Profile:
    """The reader with this id, or :class:`NotFound`."""
    return get_owned(Profile, profile_id, "reader")


def find_profile(name_or_id: str) -> Profile:
    """A reader by id or by name (case-insensitive), for the command line."""
    if name_or_id.isdigit():
        return get_profile(int(name_or_id))
    profile = db.session.scalar(
        select(Profile)
        .where(owned(Profile), func.lower(Profile.name) == name_or_id.lower())
        .limit(1)
    )
    if profile is None:
        raise NotFound("reader", repr(name_or_id))
    return profile


def _check_kanji_grade(profile: Profile) -> None:
    """Readings over kanji beyond a grade need the grade, given or from the age (422)."""
    if profile.furigana == "above_grade" and profile.kanji_grade is None and profile.age is None:
        raise InvalidInput(
            "Readings over kanji beyond a grade need the grade: set kanji_grade (1-6, the "
            "school grade whose kanji the reader knows) or the reader's age.",
            [
                {
                    "field": "kanji_grade",
                    "message": "needed for furigana 'above_grade'",
                    "type": "kanji_grade_needed",
                }
            ],
        )


def create_profile(data: ProfileCreate) -> Profile:
    """Save a new reader."""
    profile = Profile(owner_id=owner_id(), **data.model_dump())
    _check_kanji_grade(profile)
    db.session.add(profile)
    db.session.commit()
    return profile


def update_profile(profile_id: int, data: ProfileUpdate) -> Profile:
    """Change the given fields of a reader."""
    profile = get_profile(profile_id)
    for key, value in data.model_dump(exclude_unset=True).items():
        setattr(profile, key, value)
    _check_kanji_grade(profile)
    profile.updated_at = utcnow()
    db.session.commit()
    return profile
