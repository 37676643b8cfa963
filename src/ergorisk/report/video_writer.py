"""H.264 MP4 writing with PyAV's libx264, so that browsers play the annotated video.

OpenCV's 'avc1' fourcc needs an FFmpeg built with an H.264 encoder, which the opencv wheels
lack; PyAV's wheels bundle libx264. Frames are encoded on a background thread (libx264 and
OpenCV's colour conversion release the GIL) behind a small bounded queue. RGB becomes
yuv420p through OpenCV (about 0.5 ms a 720p frame against 3.5 ms for FFmpeg's swscale
inside PyAV). Preset ultrafast at CRF 26: 3.8 ms a 720p frame against 7.0 ms for superfast
at CRF 23, for a file about a quarter larger (~25 MB a minute) and no difference to see in
a drawn frame; the encoding is the largest cost after pose estimation, on a machine whose
two cores are both busy (benchmarks/bench_video.py).
"""

from __future__ import annotations

import queue
import threading
from fractions import Fraction
from pathlib import Path

import numpy as np

_DONE = object()


class H264Writer:
    """Write RGB frames (H, W, 3) uint8 of one size to an MP4 (H.264, yuv420p, faststart).

    Odd widths or heights are cropped by one pixel (yuv420p needs even sizes).
    """

    def __init__(
        self,
        path: str | Path,
        fps: float,
        crf: int = 26,
        preset: str = "ultrafast",
        queue_size: int = 2,
        threads: int = 0,
    ) -> None:
        self.path = Path(path)
        self.fps = fps
        self.crf, self.preset = crf, preset
        self.threads = threads  # libx264's threads; 0: its own choice (1.5 a core)
        self._queue: queue.Queue = queue.Queue(maxsize=queue_size)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def write(self, rgb: np.ndarray) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(rgb)

    def close(self) -> None:
        self._queue.put(_DONE)
        self._thread.join()
        if self._error is not None:
            raise self._error

    def __enter__(self) -> H264Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self) -> None:
        import av
        import cv2

        container = None
        done = False
        try:
            container = av.open(str(self.path), "w", options={"movflags": "+faststart"})
            stream = None
            while True:
                rgb = self._queue.get()
                if rgb is _DONE:
                    done = True
                    break
                if stream is None:
                    stream = self._add_stream(container, rgb.shape)
                height, width = stream.height, stream.width
                yuv = cv2.cvtColor(
                    np.ascontiguousarray(rgb[:height, :width]), cv2.COLOR_RGB2YUV_I420
                )
                container.mux(stream.encode(av.VideoFrame.from_ndarray(yuv, format="yuv420p")))
            if stream is not None:
                container.mux(stream.encode(None))
        except BaseException as err:
            self._error = err
            while not done and self._queue.get() is not _DONE:  # unblock the producer
                pass
        finally:
            if container is not None:
                container.close()

    def _add_stream(self, container, shape: tuple[int, ...]):
        rate = Fraction(self.fps).limit_denominator(1001)
        stream = container.add_stream("libx264", rate=rate)
        stream.width, stream.height = shape[1] // 2 * 2, shape[0] // 2 * 2
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": str(self.crf), "preset": self.preset}
        stream.codec_context.thread_count = self.threads
        return stream


def join_parts(parts: list[Path], dest: Path) -> None:
    """MP4 files written one after the other by H264Writer with the same settings, joined
    into ``dest`` without re-encoding: each part's packets follow the previous part's."""
    import av

    with av.open(str(dest), "w", options={"movflags": "+faststart"}) as out:
        stream, offset = None, 0
        for part in parts:
            with av.open(str(part)) as src:
                template = src.streams.video[0]
                if stream is None:
                    stream = out.add_stream_from_template(template)
                end = offset
                for packet in src.demux(template):
                    if packet.dts is None:  # the demuxer's empty flush packet
                        continue
                    packet.pts += offset
                    packet.dts += offset
                    end = max(end, packet.pts + (packet.duration or 0))
                    packet.stream = stream
                    out.mux(packet)
                offset = end
