"""MediaPipe's two BlazePose models as separate graphs, for following several people.

    detector = PoseDetector(min_score=0.3)
    rois = detector.detect(rgb)                       # list[Detection], one per person seen
    with RoiLandmarker() as landmarker:               # one per followed person
        pose, next_roi = landmarker.process(rgb, rois[0].roi)

The legacy ``mp.solutions.pose`` couples the detector and the landmark model and follows one
person. Both models ship in the mediapipe 0.10.21 wheel, and so do the subgraphs that run them
(``PoseDetectionCpu``, ``PoseLandmarkByRoiCpu``, ``PoseLandmarkFiltering``), so a custom graph
through ``solution_base`` runs them offline with no extra dependency. The detector gives every
person it sees (not only the first); the landmark graph is fed the region to look at, so each
person gets their own graph, their own smoothing filter, and their own region.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ergorisk.pose.mediapipe_pose import MODEL_COMPLEXITY, N_LANDMARKS, FramePose

# BlazePose's region: a square around the hip centre whose half side is the distance to the
# detector's "full body" keypoint, times 1.25 (pose_detection_to_roi.pbtxt).
ROI_SCALE = 1.25

_DETECTION_GRAPH = """
input_stream: "image"
output_stream: "detections"
node {
  calculator: "PoseDetectionCpu"
  input_stream: "IMAGE:image"
  output_stream: "DETECTIONS:detections"
}
"""
_SCORE_PARAM = "posedetectioncpu__TensorsToDetectionsCalculator.min_score_thresh"

# PoseLandmarkByRoiCpu, then the same filtering and next-region steps as pose_landmark_cpu.
_LANDMARK_GRAPH = """
input_stream: "image"
input_stream: "roi"
input_side_packet: "model_complexity"
input_side_packet: "enable_segmentation"
input_side_packet: "smooth_landmarks"
output_stream: "landmarks"
output_stream: "world_landmarks"
output_stream: "next_roi"
node {
  calculator: "ImagePropertiesCalculator"
  input_stream: "IMAGE_CPU:image"
  output_stream: "SIZE:image_size"
}
node {
  calculator: "PoseLandmarkByRoiCpu"
  input_side_packet: "MODEL_COMPLEXITY:model_complexity"
  input_side_packet: "ENABLE_SEGMENTATION:enable_segmentation"
  input_stream: "IMAGE:image"
  input_stream: "ROI:roi"
  output_stream: "LANDMARKS:raw_landmarks"
  output_stream: "AUXILIARY_LANDMARKS:raw_auxiliary"
  output_stream: "WORLD_LANDMARKS:raw_world"
  output_stream: "SEGMENTATION_MASK:segmentation_mask"
}
node {
  calculator: "PoseLandmarkFiltering"
  input_side_packet: "ENABLE:smooth_landmarks"
  input_stream: "IMAGE_SIZE:image_size"
  input_stream: "NORM_LANDMARKS:raw_landmarks"
  input_stream: "AUX_NORM_LANDMARKS:raw_auxiliary"
  input_stream: "WORLD_LANDMARKS:raw_world"
  output_stream: "FILTERED_NORM_LANDMARKS:landmarks"
  output_stream: "FILTERED_AUX_NORM_LANDMARKS:auxiliary"
  output_stream: "FILTERED_WORLD_LANDMARKS:world_landmarks"
}
node {
  calculator: "PoseLandmarksToRoi"
  input_stream: "LANDMARKS:auxiliary"
  input_stream: "IMAGE_SIZE:image_size"
  output_stream: "ROI:next_roi"
}
"""


@dataclass(frozen=True)
class Roi:
    """Where the landmark model looks: a square of side ``size`` pixels centred on
    (``cx``, ``cy``) pixels, turned by ``rotation`` radians (MediaPipe's convention)."""

    cx: float
    cy: float
    size: float
    rotation: float = 0.0


@dataclass(frozen=True)
class Detection:
    """One person found by the detector: their region, the detector's score in [0, 1] and
    a box around their head (x0, y0, x1, y1 pixels; see ``head_box``)."""

    roi: Roi
    score: float
    head: tuple[int, int, int, int]


def head_box(shoulders: np.ndarray, top: np.ndarray) -> tuple[int, int, int, int]:
    """A square around the head from the detector's keypoints 2 (mid-shoulder) and 3 (on the
    circle around the upper body, above the head), (2,) pixels each: the face sits about a
    third of the way from the shoulders to that point, and is about a quarter of that
    distance across (measured on the example's passer-by against MediaPipe's face detector,
    on the frames where that found her profile)."""
    v = top - shoulders
    cx, cy = shoulders + 0.3 * v
    half = 0.2 * float(math.hypot(*v))
    return (int(cx - half), int(cy - half), int(cx + half), int(cy + half))


def roi_from_keypoints(hip: np.ndarray, body: np.ndarray) -> Roi:
    """BlazePose's region from the hip centre and the full-body keypoint, both (2,) pixels:
    the body points up along the hip -> body vector (AlignmentPointsRectsCalculator)."""
    dx, dy = body - hip
    radius = float(math.hypot(dx, dy))
    rotation = math.pi / 2 - math.atan2(-dy, dx)
    rotation = (rotation + math.pi) % (2 * math.pi) - math.pi
    return Roi(float(hip[0]), float(hip[1]), 2 * radius * ROI_SCALE, rotation)


def _to_rect(roi: Roi, width: int, height: int):
    from mediapipe.framework.formats import rect_pb2

    return rect_pb2.NormalizedRect(
        x_center=roi.cx / width,
        y_center=roi.cy / height,
        width=roi.size / width,
        height=roi.size / height,
        rotation=roi.rotation,
    )


def _from_rect(rect, width: int, height: int) -> Roi:
    # square_long made the rect square in pixels
    size = max(rect.width * width, rect.height * height)
    return Roi(rect.x_center * width, rect.y_center * height, size, rect.rotation)


class PoseDetector:
    """BlazePose's person detector on whole frames and, for wide or tall frames, on two
    overlapping square tiles too: it sees a 224x224 letterboxed image, where people far from
    a 1080p camera shrink to a few dozen pixels and go unseen.

    min_score: lowest detector score kept; the landmark model confirms each new person, so
    a low threshold costs time, not false people.
    tiles: also run on the tiles (three detector runs instead of one).
    """

    def __init__(self, min_score: float = 0.3, tiles: bool = True) -> None:
        from google.protobuf import text_format
        from mediapipe.framework import calculator_pb2
        from mediapipe.python import solution_base

        config = text_format.Parse(_DETECTION_GRAPH, calculator_pb2.CalculatorGraphConfig())
        self.tiles = tiles
        self._graph = solution_base.SolutionBase(
            graph_config=config, calculator_params={_SCORE_PARAM: min_score}
        )

    def detect(
        self,
        rgb: np.ndarray,
        tiles: bool | None = None,
        more: Sequence[tuple[int, int, int, int]] = (),
        accept: Callable[[Detection], bool] | None = None,
    ) -> list[Detection]:
        """Everyone found in an upright RGB frame (H, W, 3) uint8, best score first
        (``tiles``: this call's choice instead of the detector's); also on the ``more``
        boxes (x0, y0, x1, y1: ``fine_tiles``, or squares around small people), keeping the
        hits wholly within their box (``_within``) that ``accept`` takes."""
        height, width = rgb.shape[:2]
        found: list[Detection] = []
        tiled = self.tiles if tiles is None else tiles
        for x0, y0, x1, y1 in _tiles(width, height) if tiled else [(0, 0, width, height)]:
            part = rgb if (x1 - x0, y1 - y0) == (width, height) else rgb[y0:y1, x0:x1]
            found += self._detect_part(np.ascontiguousarray(part), (x0, y0))
        for box in more:
            x0, y0, x1, y1 = box
            hits = self._detect_part(np.ascontiguousarray(rgb[y0:y1, x0:x1]), (x0, y0))
            found += [d for d in hits if _within(d, box) and (accept is None or accept(d))]
        return _merge(found)

    def _detect_part(self, rgb: np.ndarray, origin: tuple[int, int]) -> list[Detection]:
        height, width = rgb.shape[:2]
        result = self._graph.process({"image": rgb})
        out = []
        for detection in result.detections or []:
            points = detection.location_data.relative_keypoints
            # Keypoint 0: hip centre; 1: a point on the circle around the whole body. The
            # detector's box is not used: it is a fixed-size face box in this model.
            hip, body, shoulders, top = (
                np.array([p.x * width, p.y * height]) + origin for p in list(points)[:4]
            )
            out.append(
                Detection(
                    roi_from_keypoints(hip, body),
                    float(detection.score[0]),
                    head_box(shoulders, top),
                )
            )
        return out

    def close(self) -> None:
        self._graph.close()

    def __enter__(self) -> PoseDetector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _tiles(width: int, height: int) -> list[tuple[int, int, int, int]]:
    """The whole frame, plus two squares at both ends of its long side if it is not square."""
    boxes = [(0, 0, width, height)]
    side = min(width, height)
    if max(width, height) > 1.3 * side:
        if width > height:
            boxes += [(0, 0, side, height), (width - side, 0, width, height)]
        else:
            boxes += [(0, 0, width, side), (0, height - side, width, height)]
    return boxes


def _within(detection: Detection, box: tuple[int, int, int, int]) -> bool:
    """Whether a detection on a small square is someone in it: their region centred inside
    it and at most 1.25 times its side (the region is a generous square: 470-590 px for
    cam01's bystander, 120 px tall, on a 544 px square). Someone cut by the square's edge
    (the man beside her, 956-1258 px) came with a head box from his chest to his hips, and a
    blur that hid his upper body."""
    x0, y0, x1, y1 = box
    roi = detection.roi
    return bool(
        roi.size <= 1.25 * min(x1 - x0, y1 - y0) and x0 <= roi.cx <= x1 and y0 <= roi.cy <= y1
    )


def fine_tiles(width: int, height: int) -> list[tuple[int, int, int, int]]:
    """Squares half the frame's short side, each overlapping the next by half, over the
    whole frame (21 on a 1088x1920 frame): a person a tenth of the frame tall fills a
    fifth of one, enough for the detector's 224x224 input."""
    side = max(1, min(width, height) // 2)
    step = max(1, side // 2)
    xs = sorted({*range(0, width - side, step), width - side})
    ys = sorted({*range(0, height - side, step), height - side})
    return [(x, y, x + side, y + side) for y in ys for x in xs]


def _merge(detections: list[Detection]) -> list[Detection]:
    """One detection per person across tiles: greedy, best score first; two regions whose
    centres are within a third of the smaller side are one person."""
    kept: list[Detection] = []
    for det in sorted(detections, key=lambda d: -d.score):
        if all(
            math.hypot(det.roi.cx - k.roi.cx, det.roi.cy - k.roi.cy)
            > min(det.roi.size, k.roi.size) / 3
            for k in kept
        ):
            kept.append(det)
    return kept


class RoiLandmarker:
    """BlazePose's landmark model (full) on a given region, with MediaPipe's own landmark
    smoothing; one instance per person, since the smoothing filter has state.

    ``process`` returns the pose (NaN when the model says nobody is there) and the region
    for the next frame, derived from this frame's landmarks as MediaPipe's tracking does.
    """

    def __init__(self, smooth_landmarks: bool = True) -> None:
        from google.protobuf import text_format
        from mediapipe.framework import calculator_pb2
        from mediapipe.python import solution_base

        config = text_format.Parse(_LANDMARK_GRAPH, calculator_pb2.CalculatorGraphConfig())
        self._graph = solution_base.SolutionBase(
            graph_config=config,
            side_inputs={
                "model_complexity": MODEL_COMPLEXITY,
                "enable_segmentation": False,
                "smooth_landmarks": smooth_landmarks,
            },
        )

    def process(self, rgb: np.ndarray, roi: Roi) -> tuple[FramePose | None, Roi | None]:
        """The pose in ``roi`` of an upright RGB frame, or (None, None) if nobody is there."""
        height, width = rgb.shape[:2]
        try:
            result = self._graph.process({"image": rgb, "roi": _to_rect(roi, width, height)})
        except RuntimeError:  # a degenerate region; the graph must start afresh
            self.reset()
            return None, None
        if result.landmarks is None or result.world_landmarks is None:
            return None, None
        image = np.array(
            [(p.x, p.y, p.visibility) for p in result.landmarks.landmark], dtype=np.float32
        )[:N_LANDMARKS]
        world = np.array(
            [(p.x, p.y, p.z, p.visibility) for p in result.world_landmarks.landmark],
            dtype=np.float32,
        )[:N_LANDMARKS]
        next_roi = None if result.next_roi is None else _from_rect(result.next_roi, width, height)
        return FramePose(world, image), next_roi

    def reset(self) -> None:
        """Forget the smoothing state (a person found again after being lost)."""
        self._graph.reset()

    def close(self) -> None:
        self._graph.close()

    def __enter__(self) -> RoiLandmarker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
