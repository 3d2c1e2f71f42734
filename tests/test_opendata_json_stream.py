"""write_list: a JSON list written item by item is json.dumps of the whole list."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waystation.opendata.json_stream import write_list

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)

OPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "sort_keys": st.booleans(),
        "ensure_ascii": st.booleans(),
        "separators": st.sampled_from([(",", ":"), (", ", ": "), (",", ": ")]),
    },
)


@given(items=st.lists(JSON, max_size=6), options=OPTIONS)
def test_written_list_is_json_dumps_of_the_list(items, options):
    out = io.StringIO()
    write_list(out, iter(items), **options)
    assert out.getvalue() == json.dumps(items, **options)


def test_an_indented_list_is_refused():
    with pytest.raises(ValueError, match="no indent"):
        write_list(io.StringIO(), [1], indent=2)
