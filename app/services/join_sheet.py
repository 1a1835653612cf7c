"""A walk's printable join sheet (A4, page and PDF): when and where, the join code in large
letters and the QR code of the join link, for the leader to print and pin up before the walk.

The QR code is SVG markup written into the page itself: the PDF renderer fetches only /static
and /media (no data: URLs), and the page's CSP allows no inline style, so the markup carries
attributes only."""

from __future__ import annotations

from dataclasses import dataclass

import qrcode
import qrcode.constants
from markupsafe import Markup, escape
from sqlmodel import Session

from app.i18n import gettext as _
from app.models import StaffUser, Walk, WalkStatus
from app.services import walks


@dataclass(frozen=True)
class JoinSheet:
    walk: Walk
    join_url: str
    site_walks_url: str  # where a code is typed by hand: <public url>/walks
    zone_name: str | None
    qr_svg: Markup


def qr_svg(data: str, *, label: str) -> Markup:
    """`data` as a QR code in SVG markup: dark modules as one path on a white square, with a
    quiet zone of four modules (what scanners expect on paper), scaled by the page's CSS. The
    one QR maker: the sheet inlines it, GET /walks/{id}/qr.svg serves it as an image."""
    code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    path = "".join(
        f"M{x},{y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark
    )
    return Markup(
        f'<svg class="join-sheet-qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}"'
        f' role="img" aria-label="{escape(label)}" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#ffffff"/>'
        f'<path d="{path}" fill="#000000"/></svg>'
    )


def require_sheet(user: StaffUser, walk: Walk) -> None:
    """WalkRefused unless this person may run the walk (403) and people can still join it:
    a closed walk's link answers "closed", so a sheet for it would send people nowhere (409)."""
    walks.require_manager(user, walk)
    if walk.status == WalkStatus.closed:
        raise walks.WalkRefused(
            _("The walk is closed: no one can join it any more, so it has no join sheet.")
        )


def sheet(*, session: Session, walk: Walk, public_url: str) -> JoinSheet:
    join_url = walks.join_url(walk=walk, public_url=public_url)
    zone = walks.zone_of(session=session, walk=walk)
    return JoinSheet(
        walk=walk,
        join_url=join_url,
        site_walks_url=f"{public_url.rstrip('/')}/walks",
        zone_name=zone.name if zone else None,
        qr_svg=qr_svg(join_url, label=_("QR code that opens the walk: %(url)s", url=join_url)),
    )
