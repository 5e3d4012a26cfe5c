"""The default engine: cheap text-line localisation, then two readers and a syntax prior.

1. The PP-OCRv4 detector finds text lines on the frame scaled to `detect_side` pixels; when no
   read comes out confident, the plate finder (`finder.py`) marks where plates are and windows
   around those places are read upscaled (small, distant plates), and if still none, the most
   plate-like line is read again from an upscaled crop around it.
   When no look reports anything, it looks once more at the frame with its contrast
   equalised (a dim or hazy plate).
2. Lines shaped like a plate's character band, and pairs of side-by-side pieces (plates the
   detector splits around an emblem, or a lone first character), become candidates. A line
   is lengthened over character-sized blobs beside its ends that the detector left out.
3. Each candidate is rectified for two readers: three views grown towards the whole plate for
   the plate-trained CRNN, and, when that reader finds the line legible in one of them, the
   line, stretched, for the general PP-OCRv4 recogniser.
4. Both readers' CTC beams propose strings; every string is scored by both readers (exact CTC
   probability, as a mixture) plus a weighted syntax prior for the country. O and 0 are one
   glyph to the readers; the prior (letter or digit position) chooses the spelling. I and 1
   are pooled the same way where the prior is sure of the position. Strings longer than the
   line's width can hold are not candidates.
5. Each line's best string is judged as a plate by the learned judge (`judge.py`: reader
   confidence, shape, neighbouring lines, ink, known words and dates) and the reads are
   returned most confident first, with softmax confidences scaled by P(plate), each with the
   vehicle's colour from the body around the plate (`color.py`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import numpy as np

from platekeeper.recognition.color import vehicle_color
from platekeeper.recognition.ctc import (
    ALPHABET,
    beam_search,
    best_path,
    greedy_decode,
    sequence_log_probs,
)
from platekeeper.recognition.detection import TextDetector, TextLine
from platekeeper.recognition.engine import Engine, register_engine
from platekeeper.recognition.finder import PlateFinder
from platekeeper.recognition.geometry import grow_quad, merge_quads, rectify
from platekeeper.recognition.judge import LineCues, PlateJudge, shipped_judge
from platekeeper.recognition.readers import PlateCharReader, TextLineReader
from platekeeper.recognition.results import Box, Candidate, PlateRead
from platekeeper.recognition.syntax import syntax_for


def _neighbours(quad: np.ndarray, extents: np.ndarray) -> tuple[float, bool]:
    """(tallest overlapping line just above or below / this line's height, whether a smaller
    line is stacked there); `extents` holds every line's x0, x1, centre y and height.

    The registration is the largest text on a plate; state names, slogans and dealer frames are
    smaller lines stacked on it, so a much taller neighbour says "small print" and a smaller
    one says "registration".
    """
    if not len(extents):
        return 1.0, False
    height = max(1.0, float(np.linalg.norm(quad[3] - quad[0])))
    x0, x1 = quad[:, 0].min(), quad[:, 0].max()
    cy = quad[:, 1].mean()
    lx0, lx1, ly, lh = extents.T
    overlap = np.minimum(x1, lx1) - np.maximum(x0, lx0)
    near = (overlap > 0.3 * (x1 - x0)) & (np.abs(ly - cy) < 1.5 * np.maximum(lh, height))
    ratio = lh[near] / height
    taller = float(ratio.max()) if (ratio > 1.05).any() else 1.0
    smaller = bool(((ratio >= 0.2) & (ratio <= 0.8)).any())
    return taller, smaller


@dataclass(frozen=True)
class LineReading:
    """One candidate line read: its ranked strings, where it is, and the judge's cues."""

    scored: list[tuple[str, float]]
    quad: np.ndarray  # the plate view reported (`plate_view`)
    line_quad: np.ndarray  # the detected character line
    crop: np.ndarray
    cues: LineCues


@dataclass(frozen=True)
class DefaultSettings:
    """Tunable constants of the default engine (chosen on the development set, coarsely)."""

    # Localisation
    detect_side: int = 800  # longer image side for the detector (its cost grows with area)
    second_pass_below: float = 0.1  # best confidence under which the second look happens
    # The second look: the plate finder (`finder.py`) marks where plates are, and a window
    # around each of the most likely places is read upscaled (small, distant plates whose
    # characters the 800 px look cannot see), at a fraction of the cost of the whole frame
    # looked at again at 1280 px.
    finder_windows: int = 3  # windows read at most, most likely first
    finder_min_score: float = 0.05  # the finder's probability under which a place is not read
    finder_window: tuple[float, float] = (0.25, 0.125)  # its width and height / the frame's side
    finder_zoom: float = 1.5  # upscaling of a window (less or more read fewer US photos)
    # A closer look: when both looks are unsure, the plate-shaped lines the first found are
    # read again from an upscaled crop around them (the judge and the readers see the plate
    # larger and without the rest of the scene's text).
    zoom_lines: int = 1  # unsure plate-shaped lines looked at closer, most confident first
    zoom_margin: float = 1.5  # crop margin around the line, in line widths / heights
    zoom_factor: float = 2.0  # upscaling of that crop
    contrast_look: bool = True  # when no look reports anything, one more on equalised contrast
    detect_pixel_threshold: float = 0.3
    detect_box_threshold: float = 0.5
    max_lines: int = 5  # text lines read per detector pass, most confident first
    min_line_height: float = 8.0  # pixels; smaller text cannot be read reliably anyway
    min_aspect: float = 1.2  # width/height of a line that can be a registration
    max_aspect: float = 12.0
    # Reading
    line_stretch: float = 1.5  # horizontal stretch before the general reader (more CTC steps)
    line_grow_w: float = 1.0  # horizontal margin added to a line before the general reader
    # Characters the detector left out at a line's end (a thin last `I`, a first group beyond a
    # wide gap) are taken in when they stand within this many line heights of it (0: never).
    character_reach: float = 2.5
    plate_grow_w: float = 1.06  # line -> plate-reader view: width factor
    # One plate-reader view per height factor: the band, the plate, the plate and its frame
    # (the third view bought 2 of 111 US development photos for about 20% more time).
    plate_grow_h: tuple[float, ...] = (1.0, 1.5, 2.2)
    plate_view: int = 1  # the view reported as the plate's box and crop
    plate_weight: float = 0.7  # share of the plate-trained reader in the fused evidence
    fusion: str = "mixture"  # "mixture" of the readers' probabilities, or "product"
    prior_weight: float = 0.25  # weight of the syntax prior against the readers' evidence
    # I and 1 are pooled (the prior choosing the spelling, as for O and 0) only where the prior
    # prefers one spelling by at least this many nats: `RK776AI` (a letter position in the
    # Slovak format) but not the vanity `BIMMIAN`, whose spellings the prior finds alike.
    lookalike_prior_margin: float = 2.0
    beam_width: int = 12
    temperature: float = 0.5  # softmax temperature from candidate scores to confidences
    min_length: int = 4
    max_length: int = 8
    min_char_width: float = 0.25  # a character and its spacing are at least this x line height
    # Is it a plate? (the rest is the learned judge, `judge.py`)
    min_plate_score: float = -1.2  # per-character log score below which a line is not a plate
    min_confidence: float = 0.02  # reads less likely than this to be a plate are not reported
    # A line the plate reader reads, in its best view, at less than this log probability per
    # character (its best path) is not read further: the general recogniser, the dearest step
    # after the detector, reads only lines the plate-trained reader finds legible. From -1.0
    # to -0.5 every read of the development set is the same, at -0.25 two EU reads change.
    min_plate_reader_score: float = -0.5


_ZERO = 1 + ALPHABET.index("0")


def _known_boxes(reads: list[PlateRead]) -> list[Box]:
    return [read.box for read in reads if read.box is not None]


def _centre_in(box: Box | None, known: list[Box]) -> bool:
    """True when `box`'s centre lies in one of the `known` boxes: the same plate read again."""
    centre = (box.x + box.width / 2, box.y + box.height / 2) if box else (-1, -1)
    return any(k.contains(*centre) for k in known)


def _add_new(reads: list[PlateRead], more: list[PlateRead]) -> None:
    """Add to `reads` those of `more` whose centre lies in none of their boxes; keep the order
    most confident first."""
    known = _known_boxes(reads)
    reads.extend(read for read in more if not _centre_in(read.box, known))
    reads.sort(key=lambda read: -read.confidence)


_LETTER_O = 1 + ALPHABET.index("O")


def _merge_glyphs(log_probs: np.ndarray) -> np.ndarray:
    """Give the 0 and O classes their pooled probability (each), so neither is preferred."""
    merged = log_probs.copy()
    pooled = np.logaddexp(log_probs[:, _ZERO], log_probs[:, _LETTER_O])
    merged[:, _ZERO] = pooled
    merged[:, _LETTER_O] = pooled
    return merged


def _spellings(text: str, lookalikes: str = "0O", limit: int = 3) -> set[str]:
    """`text` with every character of the pair `lookalikes` (O/0, I/1) spelled either way, up
    to `limit` such positions."""
    variants = {""}
    ambiguous = 0
    for char in text:
        if char in lookalikes and ambiguous < limit:
            ambiguous += 1
            variants = {v + c for v in variants for c in lookalikes}
        else:
            variants = {v + char for v in variants}
    return variants


def _pool_where_prior_is_sure(
    evidence: dict[str, float], prior: dict[str, float], margin: float
) -> dict[str, float]:
    """Give a string the pooled evidence of its I/1 spellings when the prior prefers it to each
    of them by at least `margin` nats; other strings keep their own evidence.

    Pooling I and 1 everywhere lost vanity plates whose spellings the prior finds about as
    likely (`BIMMIAN` read `B1MM1AN`); where a national format has a letter (or a digit) in that
    position the prior is sure, and the readers' split between the two glyphs is no evidence.
    """
    pooled = dict(evidence)
    for text, own in evidence.items():
        others = [v for v in _spellings(text, "I1", limit=2) if v != text and v in evidence]
        if others and all(prior[text] - prior[v] >= margin for v in others):
            pooled[text] = float(np.logaddexp.reduce([own, *(evidence[v] for v in others)]))
    return pooled


def _grow_to_characters(frame: np.ndarray, quad: np.ndarray, reach: float) -> np.ndarray:
    """`quad` lengthened along its own axis over the characters the detector left out beside it.

    The detector's line can stop short of a plate's characters: a thin last `I` right of `A`
    (`RK857AI` read `RK857A`), or a first group beyond a wide gap (`VW 4X4-WP`). In a strip
    along the line, `reach` line heights longer at either end, the ink (Otsu on the line's own
    part) splits into connected blobs; a blob outside the line as tall as the line's characters,
    at their height, no wider than tall, and within a character height of the line's end (or of
    a blob already taken in) is a character. Frame edges, emblems, stacked small print and the
    car beyond the plate are taller, shorter or joined to the plate's border, and are not.
    """
    import cv2  # heavy; imported when first used

    quad = np.asarray(quad, dtype=np.float32)
    across, down = quad[1] - quad[0], quad[3] - quad[0]
    width, height = float(np.linalg.norm(across)), float(np.linalg.norm(down))
    if reach <= 0 or width < 1 or height < 1:
        return quad
    strip_quad = grow_quad(
        quad, width_factor=(width + 2 * reach * height) / width, height_factor=1.2
    )
    strip = cv2.cvtColor(rectify(frame, strip_quad, height=40), cv2.COLOR_BGR2GRAY)
    strip_h, strip_w = strip.shape
    px = strip_w / (width + 2 * reach * height)  # strip pixels per frame pixel along the line
    start, end = round(reach * height * px), strip_w - round(reach * height * px)
    threshold, light_share = _otsu_split(strip[:, start:end])
    ink = (strip > threshold) if light_share < 0.5 else (strip <= threshold)  # the minority
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    blobs = stats[1:count, :4]  # x, y, w, h
    inside = (blobs[:, 0] + blobs[:, 2] / 2 >= start) & (blobs[:, 0] + blobs[:, 2] / 2 <= end)
    tall = blobs[:, 3] >= 0.4 * strip_h
    # Blobs touching the strip's top or bottom are a frame's side or the car, not characters.
    spans = (blobs[:, 1] <= 0) | (blobs[:, 1] + blobs[:, 3] >= strip_h)
    characters = blobs[inside & tall & ~spans]
    if not len(characters):
        return quad
    size = float(np.median(characters[:, 3]))
    middle = float(np.median(characters[:, 1] + characters[:, 3] / 2))
    alike = (
        ~inside
        & ~spans
        & (np.abs(blobs[:, 3] - size) <= 0.2 * size)
        & (np.abs(blobs[:, 1] + blobs[:, 3] / 2 - middle) <= 0.2 * size)
        & (blobs[:, 2] <= 1.2 * size)
    )
    first = float(characters[:, 0].min())
    last = float((characters[:, 0] + characters[:, 2]).max())
    left, right = first, last
    for x, _, w, _ in sorted(blobs[alike].tolist(), key=lambda b: -b[0]):  # leftwards
        if x + w <= left and left - (x + w) <= size:
            left = x
    for x, _, w, _ in sorted(blobs[alike].tolist()):  # rightwards
        if x >= right and x - right <= size:
            right = x + w
    margin = 0.15 * size
    grow_left = max(0.0, start - left + margin) / px if left < first else 0.0
    grow_right = max(0.0, right + margin - end) / px if right > last else 0.0
    if not grow_left and not grow_right:
        return quad
    unit = across / width
    return np.array(
        [
            quad[0] - grow_left * unit,
            quad[1] + grow_right * unit,
            quad[2] + grow_right * unit,
            quad[3] - grow_left * unit,
        ],
        dtype=np.float32,
    )


def _cut_by_frame(quad: np.ndarray, frame_shape: tuple[int, ...], margin: float = 1.0) -> bool:
    """True when a line reaches the frame's edge: the plate may go on beyond it, so its read
    may lack characters (a passing car's plate half in view)."""
    height, width = frame_shape[:2]
    xs, ys = quad[:, 0], quad[:, 1]
    return bool(
        xs.min() <= margin
        or ys.min() <= margin
        or xs.max() >= width - 1 - margin
        or ys.max() >= height - 1 - margin
    )


def _otsu_split(gray: np.ndarray) -> tuple[float, float]:
    """Otsu's threshold of a grey text band and the share of its pixels above it. A line's
    characters cover less of it than their ground, so the smaller class is the ink."""
    import cv2  # heavy; imported when first used

    threshold, light = cv2.threshold(gray, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return float(threshold), float(light.mean())


def _has_light_text(crop: np.ndarray) -> bool:
    """True when the text of a line crop is lighter than its background (`_otsu_split`)."""
    import cv2  # heavy; imported when first used

    gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    h = gray.shape[0]
    core = gray[h // 5 : h - h // 5]  # the character band, without neighbouring lines
    return _otsu_split(core)[1] < 0.45


def _equalize_contrast(frame: np.ndarray) -> np.ndarray:
    """`frame` with its lightness equalised in tiles (CLAHE), its hues kept: faint characters
    on a dim plate become as dark against their ground as on a well-lit one."""
    import cv2  # heavy; imported when first used

    lab = cv2.cvtColor(frame, cv2.COLOR_BGR2LAB)
    clahe = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))
    lab[:, :, 0] = clahe.apply(lab[:, :, 0])
    return cv2.cvtColor(lab, cv2.COLOR_LAB2BGR)


def _combine(general: float, specific: float, weight: float, fusion: str) -> float:
    """Fuse two readers' log probabilities for one string."""
    if fusion == "mixture":
        return float(np.logaddexp(math.log(1 - weight) + general, math.log(weight) + specific))
    return (1 - weight) * general + weight * specific


@register_engine("default")
class DefaultEngine(Engine):
    """PP-OCRv4 localisation and reading, a plate-trained CRNN, and a per-country syntax prior."""

    def __init__(
        self,
        *,
        country: str = "us",
        threads: int = 1,
        top_n: int = 10,
        settings: DefaultSettings | None = None,
        use_plate_reader: bool | None = None,
        judge: PlateJudge | None = None,
    ) -> None:
        super().__init__(country=country, threads=threads, top_n=top_n)
        self.settings = settings or DefaultSettings()
        self.detector = TextDetector(
            max_side=self.settings.detect_side,
            pixel_threshold=self.settings.detect_pixel_threshold,
            box_threshold=self.settings.detect_box_threshold,
            threads=threads,
        )
        self.line_reader = TextLineReader(threads=threads)
        if use_plate_reader is None:
            use_plate_reader = PlateCharReader.available()
        self.plate_reader = PlateCharReader(threads=threads) if use_plate_reader else None
        self.syntax = syntax_for(country)
        self._judge = judge
        self.finder = PlateFinder(threads=threads)

    @property
    def judge(self) -> PlateJudge:
        """The plate/not-plate judge (the shipped one unless another was given); loaded lazily."""
        if self._judge is None:
            self._judge = shipped_judge()
        return self._judge

    def warm_up(self) -> None:
        """Load every model now and run each once, so the first real frame is not slower."""
        self.detector.detect(np.full((64, 64, 3), 127, dtype=np.uint8))
        self.finder.find(np.full((64, 64, 3), 127, dtype=np.uint8), limit=1, min_score=1.0)
        blank = np.full((48, 160, 3), 127, dtype=np.uint8)
        self.line_reader.log_probs([blank])
        if self.plate_reader is not None:
            self.plate_reader.log_probs([blank])
        # OpenCV fills its Lab conversion tables on the first conversion (about 0.2 s), which
        # the first vehicle's colour (`color.py`) would otherwise pay.
        import cv2  # heavy; imported when first used

        cv2.cvtColor(blank, cv2.COLOR_BGR2LAB)

    def read_frame(self, frame: np.ndarray) -> list[PlateRead]:
        lines = self.detector.detect(frame)
        reads = self._read_lines(frame, lines)
        s = self.settings
        best = reads[0].confidence if reads else 0.0
        if best < s.second_pass_below and max(frame.shape[:2]) > s.detect_side:
            # Small plates vanish at the cheap scale; look again where the finder sees plates,
            # only when unsure.
            for window in self._finder_windows(frame, reads):
                _add_new(
                    reads, self._read_region(frame, window, s.finder_zoom, _known_boxes(reads))
                )
        best = reads[0].confidence if reads else 0.0
        if best < s.second_pass_below:
            # What the frame's edge cuts off stays missing however close the look.
            whole = [
                line
                for line in self._plate_shaped(lines)
                if not _cut_by_frame(line.quad, frame.shape)
            ]
            for line in whole[: s.zoom_lines]:
                _add_new(reads, self._read_closer(frame, line, known=_known_boxes(reads)))
        if not reads and s.contrast_look:
            # A dim or hazy plate can leave no trace in the detector's map at all; with the
            # frame's local contrast equalised its characters stand out (`CK0A1F` at dusk).
            even = _equalize_contrast(frame)
            reads = self._read_lines(even, self.detector.detect(even), frame=frame)
        return reads

    def _plate_shaped(self, lines: list[TextLine]) -> list[TextLine]:
        """Lines shaped like a character band, most confident first."""
        s = self.settings
        return [
            line
            for line in lines
            if line.height >= s.min_line_height
            and s.min_aspect <= line.width / line.height <= s.max_aspect
        ]

    def _finder_windows(self, frame: np.ndarray, reads: list[PlateRead]) -> Iterator[Box]:
        """Windows around the places the plate finder marks, most likely first: at most
        `finder_windows`, none around a place already read or inside an earlier window (the
        finder often marks several places along one plate or one line of lettering)."""
        s = self.settings
        side = max(frame.shape[:2])
        half_w, half_h = s.finder_window[0] * side / 2, s.finder_window[1] * side / 2
        looked: list[Box] = []
        for spot in self.finder.find(
            frame, limit=4 * s.finder_windows, min_score=s.finder_min_score
        ):
            if len(looked) == s.finder_windows:
                return
            if any(box.contains(spot.x, spot.y) for box in _known_boxes(reads) + looked):
                continue
            window = Box.from_bounds(
                spot.x - half_w, spot.y - half_h, spot.x + half_w, spot.y + half_h
            )
            looked.append(window)
            yield window

    def _read_closer(
        self, frame: np.ndarray, line: TextLine, *, known: list[Box] | None = None
    ) -> list[PlateRead]:
        """Reads of an upscaled crop around `line`, boxes and colours in `frame`'s pixels; lines
        that would land in a `known` box are not read (`_read_lines`)."""
        s = self.settings
        x0, y0 = line.quad.min(axis=0)
        x1, y1 = line.quad.max(axis=0)
        mx, my = s.zoom_margin * (x1 - x0), s.zoom_margin * (y1 - y0)
        around = Box.from_bounds(x0 - mx, y0 - my, x1 + mx, y1 + my)
        return self._read_region(frame, around, s.zoom_factor, known)

    def _read_region(
        self, frame: np.ndarray, region: Box, zoom: float, known: list[Box] | None
    ) -> list[PlateRead]:
        """Reads of `region` of `frame` (clipped to it) upscaled by `zoom`, its lines found by
        the 800 px detector; boxes and colours in `frame`'s pixels, lines that would land in a
        `known` box not read (`_read_lines`)."""
        import cv2  # heavy; imported when first used

        height, width = frame.shape[:2]
        left, top = max(0, int(region.x)), max(0, int(region.y))
        right = min(width, int(region.x + region.width))
        bottom = min(height, int(region.y + region.height))
        if right - left < 2 or bottom - top < 2:
            return []
        crop = cv2.resize(
            frame[top:bottom, left:right], None, fx=zoom, fy=zoom, interpolation=cv2.INTER_CUBIC
        )
        return self._read_lines(
            crop,
            self.detector.detect(crop),
            frame=frame,
            offset=(left, top),
            zoom=zoom,
            known=known,
        )

    def _read_lines(
        self,
        image: np.ndarray,
        lines: list[TextLine],
        *,
        frame: np.ndarray | None = None,
        offset: tuple[float, float] = (0.0, 0.0),
        zoom: float = 1.0,
        known: list[Box] | None = None,
    ) -> list[PlateRead]:
        """Reads of `lines` found in `image`, which is `frame` itself or a crop of it taken at
        `offset` and scaled by `zoom`; boxes and colours are in `frame`'s pixels.

        A later look leaves out the reads whose box centres lie in a box already read
        (`_add_new`), so lines whose box would lie there, `known`, are not read at all. Such a
        line no longer hides a later line that reads the same text (`read_candidates`); on the
        development set every read is the same bit for bit.
        """
        if frame is None:
            frame = image

        def to_frame(quad: np.ndarray) -> np.ndarray:
            return quad / zoom + np.asarray(offset)

        def read_before(quad: np.ndarray) -> bool:
            return _centre_in(Box.from_points(to_frame(quad)), known or [])

        reads = []
        for line in self.read_candidates(image, lines, skip=read_before if known else None):
            line = replace(line, quad=to_frame(line.quad), line_quad=to_frame(line.line_quad))
            read = self._to_read(line, self.judge.probability(line.cues))
            if read.confidence >= self.settings.min_confidence:
                # The colour is measured from the character line (as tall as the plate's box in
                # the ground truth), not from the reported view, which shows the plate with a
                # margin; and only for reads reported, as it costs a few milliseconds.
                color = vehicle_color(frame, Box.from_points(line.line_quad))
                reads.append(replace(read, color=color))
        reads.sort(key=lambda read: -read.confidence)
        return reads

    def read_candidates(
        self,
        frame: np.ndarray,
        lines: list[TextLine],
        *,
        skip: Callable[[np.ndarray], bool] | None = None,
    ) -> list[LineReading]:
        """Read every candidate line among `lines`: ranked strings and the judge's cues.

        Lines whose best string reads poorly, repeats an earlier line's or is too long for a
        registration are left out; so are lines the plate reader cannot read as characters
        (`min_plate_reader_score`), before the general recogniser reads them, and lines whose
        reported quad (the plate view) `skip` holds, without reading them.
        `scripts/recognition/train_judge.py` trains on these.
        """
        candidates = [
            (_grow_to_characters(frame, quad, self.settings.character_reach), score, neighbours)
            for quad, score, neighbours in self._plate_candidates(lines)
        ]
        if not candidates:
            return []
        s = self.settings
        all_quads = [quad for quad, _, _ in candidates]
        views = len(s.plate_grow_h)
        # Each line's plate-reader views; the one at `plate_view` is the plate's reported quad.
        all_views = [
            [grow_quad(q, width_factor=s.plate_grow_w, height_factor=h) for h in s.plate_grow_h]
            for q in all_quads
        ]
        wanted = [
            i
            for i, line_views in enumerate(all_views)
            if skip is None or not skip(line_views[s.plate_view])
        ]
        view_crops = {i: [rectify(frame, q, height=64) for q in all_views[i]] for i in wanted}
        if self.plate_reader is not None:
            read_views = self.plate_reader.log_probs([c for i in wanted for c in view_crops[i]])
            plate_reads = {i: read_views[k * views : (k + 1) * views] for k, i in enumerate(wanted)}
            # The plate reader is cheap (about 3 ms a view) and trained on plates; a line it
            # cannot read as characters in any view is no plate, and not worth the general
            # recogniser (15-20 ms a line).
            wanted = [
                i
                for i in wanted
                if max(best_path(view)[1] for view in plate_reads[i]) >= s.min_plate_reader_score
            ]
        else:
            plate_reads = {i: [] for i in wanted}
        if not wanted:
            return []
        candidates = [candidates[i] for i in wanted]
        quads = [all_quads[i] for i in wanted]
        line_crops = [self._line_crop(frame, quad) for quad in quads]
        # Box and crop show the whole plate.
        plate_quads = [all_views[i][s.plate_view] for i in wanted]
        plate_crops = [view_crops[i][s.plate_view] for i in wanted]
        general = self.line_reader.log_probs(line_crops)
        specific = [plate_reads[i] for i in wanted]
        readings: list[LineReading] = []
        seen: set[str] = set()
        for quad, plate_crop, line_crop, g, p, (line_quad, line_score, neighbours) in zip(
            plate_quads, plate_crops, line_crops, general, specific, candidates, strict=True
        ):
            line_w = float(np.linalg.norm(quad[1] - quad[0]))
            line_h = float(np.linalg.norm(quad[3] - quad[0])) / s.plate_grow_h[s.plate_view]
            most = int(line_w / s.plate_grow_w / max(1.0, line_h) / s.min_char_width)
            scored = self._score(g, p, max_length=min(s.max_length, most))
            if not scored:
                continue
            best_text, best_score = scored[0]
            length = max(1, len(best_text))
            per_char = best_score / length
            if per_char < s.min_plate_score or best_text in seen:
                continue
            seen.add(best_text)
            second = scored[1][1] if len(scored) > 1 else best_score - 3.0 * length
            cues = LineCues(
                text=best_text,
                per_char=per_char,
                margin=(best_score - second) / length,
                prior_per_char=self.syntax.log_prior(best_text) / length,
                taller_ratio=neighbours[0],
                smaller_neighbour=neighbours[1],
                light_text=_has_light_text(line_crop),
                detector_score=line_score,
                cut_by_frame=_cut_by_frame(line_quad, frame.shape),
            )
            readings.append(
                LineReading(
                    scored=scored, quad=quad, line_quad=line_quad, crop=plate_crop, cues=cues
                )
            )
        return readings

    def _line_crop(self, frame: np.ndarray, quad: np.ndarray) -> np.ndarray:
        """The line, rectified and stretched, as the general recogniser reads it."""
        s = self.settings
        if s.line_grow_w != 1.0:
            quad = grow_quad(quad, width_factor=s.line_grow_w, height_factor=1.0)
        crop = rectify(frame, quad, height=TextLineReader.height)
        if s.line_stretch != 1.0:
            import cv2  # heavy; imported when first used

            crop = cv2.resize(crop, (int(crop.shape[1] * s.line_stretch), crop.shape[0]))
        return crop

    def _plate_candidates(
        self, lines: list[TextLine]
    ) -> list[tuple[np.ndarray, float, tuple[float, bool]]]:
        """Quads worth reading, each with its detector score and its neighbours (`_neighbours`)."""
        s = self.settings
        shaped = self._plate_shaped(lines)
        quads: list[tuple[float, np.ndarray]] = [(line.score, line.quad) for line in shaped]
        # Plates split into two lines ("ABC" "1234", or a lone first character the detector
        # kept apart): same height, same row, small gap. Pieces of any shape may join a line.
        pieces = [line for line in lines if line.height >= s.min_line_height]
        order = {id(line): i for i, line in enumerate(shaped)}
        for i, a in enumerate(shaped):
            for b in pieces:
                if order.get(id(b), len(shaped)) <= i:
                    continue  # itself, or a pair already tried the other way round
                ha, hb = a.height, b.height
                if not 0.75 <= ha / hb <= 1.33:
                    continue
                ya, yb = a.quad[:, 1].mean(), b.quad[:, 1].mean()
                if abs(ya - yb) > 0.3 * min(ha, hb):
                    continue
                left, right = (a, b) if a.quad[:, 0].mean() < b.quad[:, 0].mean() else (b, a)
                gap = right.quad[:, 0].min() - left.quad[:, 0].max()
                if -0.5 * ha < gap < 1.2 * ha:
                    merged = merge_quads(a.quad, b.quad)
                    quads.append(((a.score + b.score) / 2 + 0.05, merged))
        quads.sort(key=lambda item: -item[0])
        extents = np.array(
            [(q[:, 0].min(), q[:, 0].max(), q[:, 1].mean(), line.height) for line in lines
             for q in (line.quad,)],
            dtype=np.float64,
        ).reshape(-1, 4)  # fmt: skip
        return [(quad, score, _neighbours(quad, extents)) for score, quad in quads[: s.max_lines]]

    def _score(
        self, general: np.ndarray, specific: list[np.ndarray], *, max_length: int
    ) -> list[tuple[str, float]]:
        """Rank candidate strings by both readers' CTC probability plus the syntax prior.

        Strings longer than `max_length` (what the line's width can hold) are not candidates.
        """
        s = self.settings
        if len(greedy_decode(general)) > s.max_length + 2:
            return []  # a long line (a timestamp overlay, a slogan) is not a registration
        # O and 0 are one glyph on many plates: the readers' evidence for either counts for
        # both, and the syntax prior (a letter or a digit position) decides the spelling.
        general = _merge_glyphs(general)
        specific = [_merge_glyphs(view) for view in specific]
        proposals = {t for t, _ in beam_search(general, beam_width=s.beam_width)}
        for view in specific:
            proposals |= {t for t, _ in beam_search(view, beam_width=s.beam_width)}
        proposals = {variant for text in proposals for variant in _spellings(text)}
        texts = [text for text in proposals if s.min_length <= len(text) <= max_length]
        general_scores = sequence_log_probs(general, texts)
        view_scores = [sequence_log_probs(view, texts) for view in specific]
        evidences: dict[str, float] = {}
        for i, text in enumerate(texts):
            evidence = float(general_scores[i])
            if specific:
                views = [float(scores[i]) for scores in view_scores]
                plate = float(np.logaddexp.reduce(views)) - math.log(len(views))
                if s.fusion == "product":
                    plate = sum(views) / len(views)
                evidence = _combine(evidence, plate, s.plate_weight, s.fusion)
            evidences[text] = evidence
        priors = {text: self.syntax.log_prior(text) for text in texts}
        pooled = _pool_where_prior_is_sure(evidences, priors, s.lookalike_prior_margin)
        scored = [(text, pooled[text] + s.prior_weight * priors[text]) for text in texts]
        # Spellings the jurisdiction writes alike (US: O as 0) are one candidate.
        folded: dict[str, float] = {}
        for text, score in scored:
            key = self.syntax.fold(text)
            folded[key] = max(folded.get(key, -math.inf), score)
        return sorted(folded.items(), key=lambda item: -item[1])

    def _to_read(self, line: LineReading, plate_probability: float) -> PlateRead:
        """Candidates' confidences: P(this text | a plate) x P(a plate), so they sum to <= 1
        (the vehicle's colour is left to the caller)."""
        scored, quad, crop = line.scored, line.quad, line.crop
        t = self.settings.temperature
        top = scored[: self.top_n]
        high = top[0][1]
        weights = [math.exp((score - high) / t) for _, score in scored]
        total = sum(weights)
        candidates = tuple(
            Candidate(text=text, confidence=round(plate_probability * w / total, 4))
            for (text, _), w in zip(top, weights, strict=False)
        )
        box = Box.from_points(quad)
        return PlateRead(
            text=candidates[0].text,
            confidence=candidates[0].confidence,
            candidates=candidates,
            box=box,
            region=self.country,
            crop=crop,
        )
