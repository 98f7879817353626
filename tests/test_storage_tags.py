"""Tags are stored one way: ``#K8s`` typed in one place finds ``k8s`` stored in another."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from storage.tags import decode_list, encode_list, encode_tags, normalise_tag


def test_every_spelling_of_a_tag_is_stored_the_same() -> None:
    assert {normalise_tag(t) for t in ("#K8s", " k8s ", "K8S", "# k8s")} == {"k8s"}
    assert encode_tags(["Terraform", "#k8s", "k8s", " ", ""]) == "k8s,terraform"


@given(st.lists(st.text(alphabet="abcxyz-#K ", min_size=0, max_size=8)))
@example(["# #"])  # hypothesis found it once: normalising "# #" gave "#", and "#" again gave ""
def test_decoding_what_was_encoded_gives_the_normalised_set(raw: list[str]) -> None:
    stored = decode_list(encode_tags(raw))
    assert stored == tuple(sorted({normalise_tag(t) for t in raw} - {""}))
    assert all("," not in t and t == normalise_tag(t) for t in stored)


def test_lists_keep_their_order_and_drop_blanks() -> None:
    assert decode_list(encode_list(["slack:T1:U2", "slack:T1:U1"])) == ("slack:T1:U2", "slack:T1:U1")
    assert decode_list(",a,,b,") == ("a", "b") and decode_list(None) == ()
