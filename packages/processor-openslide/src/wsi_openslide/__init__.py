"""An OpenSlide slide task for wsi-orchestrator: see README.md."""

from .processor import process_slide
from .settings import Settings, read_settings
from .tiles import TileRef, encode_tile, tile_order

__all__ = ["Settings", "TileRef", "encode_tile", "process_slide", "read_settings", "tile_order"]
