"""Photo files: /media/photos/ab/<sha256>.jpg and /media/thumbs/…, read from the media store
(the local folder or a bucket) for whoever photo_access lets see them."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from app.deps import MediaStoreDep, OptionalVisitorDep, SessionDep
from app.services import media_files

router = APIRouter()

# A public photo never changes under its name, but moderation may hide it at any moment: caches
# keep it but ask each time (304 for the same ETag, one indexed query and no read of the file).
PUBLIC_CACHE = "public, no-cache"
# A photo only staff may see (not yet moderated, hidden, a private category) stays out of
# shared caches and off the disk of a shared computer.
STAFF_ONLY = "private, no-store"


@router.get("/media/{folder}/{shard}/{name}")
def media_file(
    request: Request,
    session: SessionDep,
    store: MediaStoreDep,
    visitor: OptionalVisitorDep,
    folder: str,
    shard: str,
    name: str,
) -> Response:
    """One photo or thumbnail; 404 when it does not exist or is not this visitor's to see."""
    found = media_files.served(
        session=session,
        store=store,
        folder=folder,
        shard=shard,
        name=name,
        viewer=visitor.user if visitor else None,
        known_etag=request.headers.get("if-none-match"),
    )
    if found is None:
        # Not kept by any cache: the photo may be approved (or the viewer sign in) later.
        raise HTTPException(status_code=404, headers={"Cache-Control": "no-store"})
    headers = {"Cache-Control": PUBLIC_CACHE if found.public else STAFF_ONLY, "ETag": found.etag}
    if found.content is None:
        return Response(status_code=304, headers=headers)
    return Response(found.content, media_type="image/jpeg", headers=headers)
