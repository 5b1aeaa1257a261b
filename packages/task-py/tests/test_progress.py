from __future__ import annotations

import pytest

from wsi_task import Progress


def test_done_is_the_uploaded_prefix_even_out_of_order() -> None:
    p = Progress(5)
    p.mark_uploaded(1)
    p.mark_uploaded(2)
    assert p.done == 0, "unit 0 is not uploaded yet, so resuming must redo it"
    p.mark_uploaded(0)
    assert p.done == 3
    p.mark_uploaded(0)
    assert p.done == 3
    p.mark_uploaded(4)
    p.mark_uploaded(3)
    assert p.done == 5 and p.finished


def test_resumes_and_checks_bounds() -> None:
    p = Progress(3, done=2)
    p.mark_uploaded(0)  # already counted
    assert p.done == 2
    with pytest.raises(IndexError):
        p.mark_uploaded(3)
    with pytest.raises(ValueError):
        Progress(3, done=4)
