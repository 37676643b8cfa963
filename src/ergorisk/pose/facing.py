"""Views one camera cannot be trusted from: the person's back, limbs pointing at the camera.

    back = back_view_frames(track.image, track.world, (width, height))     # (T,) bool
    toward = limb_toward_camera(track.world)                              # {limb: (T,) bool}

From behind, the face cannot be seen and the body's left and right are guessed: MediaPipe's
angles are least reliable there (docs/accuracy.md). A frame is a back view when the shoulder
line, as labelled, runs the back's way in the image (the person's left shoulder on the image's
left) and the nose sits behind the ears (farther from the camera), with the shoulders open
enough in the image that this is not a side view. A limb points at (or away from) the
camera when its image-plane extent is less than half its length: more than 60 deg out of the
image plane, where its angle rests on depth alone. Pure numpy.
"""

from __future__ import annotations

import numpy as np

# Shoulders at least this fraction of the torso's image height apart (else a side view).
MIN_SHOULDER_OPEN = 0.15
MAX_IMAGE_FRACTION = 0.5  # of the bone's length, for a limb toward the camera
BACK_SHARE = 0.4  # of the reliable frames, for a warning (4-view demo: 0.28 front, 0.5-0.8 back)
TOWARD_SHARE = 0.3
LIMBS: dict[str, tuple[int, int]] = {
    "left upper arm": (11, 13),
    "right upper arm": (12, 14),
    "left forearm": (13, 15),
    "right forearm": (14, 16),
    "left thigh": (23, 25),
    "right thigh": (24, 26),
    "left shank": (25, 27),
    "right shank": (26, 28),
}


def back_view_frames(
    image: np.ndarray, world: np.ndarray, frame_size: tuple[int, int]
) -> np.ndarray:
    """(T,) frames where the camera sees the person's back (False without a person)."""
    px = np.asarray(image, float)[..., :2] * np.asarray(frame_size, float)
    w = np.asarray(world, float)
    shoulder_dx = px[:, 11, 0] - px[:, 12, 0]  # the left shoulder minus the right, image x
    torso = np.linalg.norm(px[:, [11, 12]].mean(1) - px[:, [23, 24]].mean(1), axis=-1)
    nose_behind = w[:, 0, 2] > w[:, [7, 8], 2].mean(axis=1)  # z away from the camera
    with np.errstate(invalid="ignore"):
        return (shoulder_dx < -MIN_SHOULDER_OPEN * torso) & nose_behind


# A body whose trunk and legs both point more than this far from the picture's up (either
# way) lies sideways in the picture: a bent trunk alone does not, its legs stay upright.
SIDEWAYS_DEG = 60.0
SIDEWAYS_SHARE = 0.5  # of the reliable frames, for a warning


def _body_up(image: np.ndarray, frame_size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(T, 2) pixel vectors up the body: hips to shoulders (the trunk), ankles to hips (the
    legs); NaN without a person."""
    px = np.asarray(image, float)[..., :2] * np.asarray(frame_size, float)
    hips = px[:, [23, 24]].mean(1)
    return px[:, [11, 12]].mean(1) - hips, hips - px[:, [27, 28]].mean(1)


def sideways_frames(image: np.ndarray, frame_size: tuple[int, int]) -> np.ndarray:
    """(T,) frames where the person lies sideways or upside down in the picture: the hips-to-
    shoulders and the hips-to-ankles lines both more than SIDEWAYS_DEG from the image's
    vertical (False without a person). A phone video filmed on its side without a rotation
    tag reads so on every frame; the scores assume the picture's up is up."""
    limit = np.cos(np.radians(SIDEWAYS_DEG))
    with np.errstate(invalid="ignore", divide="ignore"):
        # image y runs down: an upright body's "up" is -y
        up_trunk, up_legs = (
            -v[:, 1] / np.linalg.norm(v, axis=1) for v in _body_up(image, frame_size)
        )
        return (up_trunk < limit) & (up_legs < limit)


def _upright_filter(image: np.ndarray, frame_size: tuple[int, int], frames: np.ndarray) -> str:
    """FFmpeg's filter that turns the picture so that the body's median "up" (hips to
    shoulders, over ``frames``) points up."""
    up = np.nanmedian(_body_up(image, frame_size)[0][frames], axis=0)
    if abs(up[0]) >= abs(up[1]):  # up points to the picture's right: turn it anticlockwise
        return "transpose=2" if up[0] > 0 else "transpose=1"
    return "hflip,vflip"  # upside down


def limb_toward_camera(world: np.ndarray) -> dict[str, np.ndarray]:
    """Per limb, (T,) frames where it points within 30 deg of the camera's axis."""
    w = np.asarray(world, float)
    out = {}
    for name, (a, b) in LIMBS.items():
        d = w[:, b, :3] - w[:, a, :3]
        full = np.linalg.norm(d, axis=-1)
        with np.errstate(invalid="ignore"):
            out[name] = np.linalg.norm(d[:, :2], axis=-1) < MAX_IMAGE_FRACTION * full
    return out


def view_shares(
    image: np.ndarray, world: np.ndarray, frame_size: tuple[int, int], use: np.ndarray
) -> tuple[float, dict[str, float]] | None:
    """Over the frames ``use`` (the reliable ones): the share seen from behind, and per limb
    the share pointing toward or away from the camera; None where no frame is used. Stored
    as summary["view"]: the report's data quality shows them beside "Reliable pose", which
    says only that the pose was followed steadily."""
    use = np.asarray(use, bool)
    if not use.any():
        return None
    back = float(back_view_frames(image, world, frame_size)[use].mean())
    return back, {k: float(v[use].mean()) for k, v in limb_toward_camera(world).items()}


def view_warnings(
    image: np.ndarray,
    world: np.ndarray,
    frame_size: tuple[int, int],
    use: np.ndarray,
    shares: tuple[float, dict[str, float]] | None = None,
) -> list[str]:
    """summary["warnings"] lines for a back view or limbs toward the camera over the frames
    ``use`` (the reliable ones); ``shares``: ``view_shares`` of the same frames where the
    caller has them (summary["view"] holds them), else computed here."""
    use = np.asarray(use, bool)
    if shares is None:
        shares = view_shares(image, world, frame_size, use)
    if shares is None:  # no frame used
        return []
    back, toward = shares
    # A photo's one frame: "in 100% of the frames" read oddly (a new-user walkthrough).
    picture = len(use) == 1

    def share_of_frames(share: float, up_to: str = "") -> str:
        return "in the picture" if picture else f"in {up_to}{100 * share:.0f}% of the frames"

    out = []
    lying = sideways_frames(image, frame_size) & use
    share = lying.sum() / use.sum()
    if share >= SIDEWAYS_SHARE:
        out.append(
            "the person lies sideways or upside down in the picture"
            f"{'' if picture else f' in {100 * share:.0f}% of the frames'}: "
            "if the video was filmed turned (a phone on its side, with no rotation recorded "
            "in the file), turn it "
            "upright first (with FFmpeg: ffmpeg -i in.mp4 -vf "
            f"{_upright_filter(image, frame_size, lying)} out.mp4); every angle is measured "
            "from the picture's up"
        )
    if back >= BACK_SHARE:
        out.append(
            f"the camera sees the person's back {share_of_frames(back)}: "
            "angles from behind are the least reliable; film from the side (or front-side)"
        )
    worst = [k for k, v in toward.items() if v >= TOWARD_SHARE]
    if worst:
        share = max(toward[k] for k in worst)
        # "right thigh point toward ...": one limb, a plural verb.
        limbs, verb, its, them = (
            (worst[0], "points", "its angle rests", "it")
            if len(worst) == 1
            else (
                f"{', '.join(worst[:-1])} and {worst[-1]}",
                "point",
                "their angles rest",
                "them",
            )
        )
        out.append(
            f"the {limbs} {verb} toward or away from the camera "
            f"{share_of_frames(share, 'up to ')}: {its} on estimated depth; "
            f"a camera at the side of the movement measures {them} better"
        )
    return out


def facing_x(image: np.ndarray, frame_size: tuple[int, int]) -> np.ndarray:
    """(T,) which way the person faces in the image: the nose's horizontal offset from the
    ears' midpoint, in torso heights (> 0: toward the image's right; NaN without a person).
    Built from label-free points (the nose, the mean of the ears, of the shoulders and of the
    hips), so mirroring the frame exactly negates it, whatever MediaPipe calls left."""
    px = np.asarray(image, float)[..., :2] * np.asarray(frame_size, float)
    ears = px[..., [7, 8], :].mean(axis=-2)
    torso = np.linalg.norm(
        px[..., [11, 12], :].mean(axis=-2) - px[..., [23, 24], :].mean(axis=-2), axis=-1
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        return (px[..., 0, 0] - ears[..., 0]) / torso
