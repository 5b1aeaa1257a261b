"""metadata.json: what a viewer or an analysis needs to know about the slide."""

from __future__ import annotations

from typing import Any

import openslide


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def slide_metadata(slide: openslide.OpenSlide, source: str) -> dict[str, Any]:
    props = slide.properties
    width, height = slide.dimensions
    return {
        "source": source,
        "vendor": props.get(openslide.PROPERTY_NAME_VENDOR),
        "width": width,
        "height": height,
        "levelCount": slide.level_count,
        "levels": [
            {"width": w, "height": h, "downsample": d}
            for (w, h), d in zip(slide.level_dimensions, slide.level_downsamples, strict=True)
        ],
        "mppX": _number(props.get(openslide.PROPERTY_NAME_MPP_X)),
        "mppY": _number(props.get(openslide.PROPERTY_NAME_MPP_Y)),
        "objectivePower": _number(props.get(openslide.PROPERTY_NAME_OBJECTIVE_POWER)),
        # The names only: the images themselves may show patient data (README.md).
        "associatedImages": sorted(slide.associated_images.keys()),
        # OpenSlide's standard, vendor-neutral properties (openslide.*). Vendor properties
        # are left out: some formats put free text, e.g. a case or operator name, in them.
        "properties": {k: v for k, v in sorted(props.items()) if k.startswith("openslide.")},
    }
