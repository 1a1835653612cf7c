from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.models._types import UTCDateTime, text_enum, utcnow


class PhotoKind(StrEnum):
    report = "report"
    after = "after"


class PhotoReview(StrEnum):
    """Whether the public may see a photo (staff always see the original)."""

    pending = "pending"  # waits for a member of staff (setting photo_moderation = review)
    public = "public"  # shown publicly: the blurred copy when there is one, else the original
    hidden = "hidden"  # staff only


class Photo(SQLModel, table=True):
    """A stored, cleaned photo. Files are named by the SHA-256 of the stored JPEG."""

    id: int | None = Field(default=None, primary_key=True)
    observation_id: int = Field(foreign_key="observation.id", index=True, ondelete="CASCADE")
    # Indexed: the media route finds the rows of a file to decide who may see it.
    sha256: str = Field(max_length=64, index=True)
    width: int
    height: int
    position: int = Field(default=0)
    kind: PhotoKind = Field(default=PhotoKind.report, sa_type=text_enum(PhotoKind))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Moderation (services/photo_moderation): rows made before it existed were already public.
    review: PhotoReview = Field(
        default=PhotoReview.public,
        sa_type=text_enum(PhotoReview),
        sa_column_kwargs={"server_default": "public"},
        index=True,
    )
    # The copy with faces or number plates blurred: what the public sees instead of the original.
    public_sha256: str | None = Field(default=None, max_length=64, index=True)
    reviewed_by_id: int | None = Field(
        default=None, foreign_key="staff_user.id", ondelete="SET NULL"
    )
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def url(self) -> str:
        return f"/media/photos/{self.sha256[:2]}/{self.sha256}.jpg"

    def width_within(self, max_px: int) -> int:
        """The width of this photo scaled to fit max_px on its long side (as its thumbnail is)."""
        scale = min(1.0, max_px / max(self.width, self.height))
        return max(1, round(self.width * scale))

    @property
    def thumb_url(self) -> str:
        return f"/media/thumbs/{self.sha256[:2]}/{self.sha256}.jpg"
