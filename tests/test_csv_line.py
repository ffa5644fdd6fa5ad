"""The batch writer's hand-rolled CSV lines are exactly what ``csv.writer`` writes."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from scamscreen.io.writers import csv_line

cells = st.one_of(st.text(alphabet=st.sampled_from('ab ,"\r\n\t\'=é中\x00'), max_size=12),
                  st.text(max_size=8), st.integers(), st.floats(allow_nan=False), st.none(),
                  st.booleans())


@given(st.lists(cells, min_size=1, max_size=8))
def test_csv_line_equals_the_csv_writer(values: list[object]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    assert csv_line(values) == buffer.getvalue()


def test_fields_read_back() -> None:
    values = ['say "hi", then\r\nleave', "", "plain", "7"]
    assert next(csv.reader(io.StringIO(csv_line(values), newline=""))) == values
