"""A test engine that reads plate text painted as grey blocks, robust to video compression.

`paint_plate(image, text)` writes each character as a 16x16 block along the top-left edge
(grey level 20 + 6 * its index in 0-9A-Z); the engine decodes block means. A frame without
blocks has no plate. Importing this module registers the engine as "blocks" (agent configs
load it with `recognition.plugins = ["tests.agent.block_engine"]`).
"""

from __future__ import annotations

import numpy as np

from platekeeper.recognition import Box, Candidate, Engine, PlateRead, register_engine

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
BLOCK = 16
MAX_CHARACTERS = 10


def paint_plate(image: np.ndarray, text: str) -> np.ndarray:
    for i, character in enumerate(text):
        level = 20 + 6 * ALPHABET.index(character)
        image[0:BLOCK, i * BLOCK : (i + 1) * BLOCK] = level
    return image


def plate_image(text: str, width: int = 320, height: int = 240) -> np.ndarray:
    image = np.zeros((height, width, 3), dtype=np.uint8)
    image[BLOCK:, :] = (40, 90, 140)  # some scenery below the code row
    return paint_plate(image, text) if text else image


@register_engine("blocks")
class BlockEngine(Engine):
    def read_frame(self, frame: np.ndarray) -> list[PlateRead]:
        text = ""
        for i in range(MAX_CHARACTERS):
            block = frame[4 : BLOCK - 4, i * BLOCK + 4 : (i + 1) * BLOCK - 4]
            if block.shape[1] == 0:
                break
            level = float(block.mean())
            if level < 14:
                break
            index = round((level - 20) / 6)
            if not 0 <= index < len(ALPHABET):
                break
            text += ALPHABET[index]
        if len(text) < 2:
            return []
        width = BLOCK * len(text)
        box = Box.from_points([(0, 0), (width, 0), (width, BLOCK), (0, BLOCK)])
        return [
            PlateRead(
                text=text,
                confidence=0.9,
                candidates=(Candidate(text=text, confidence=0.9),),
                box=box,
                region=self.country,
                crop=frame[0:BLOCK, 0:width].copy(),
            )
        ]
