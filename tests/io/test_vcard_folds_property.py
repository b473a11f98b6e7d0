"""The vCard reader against folds wherever writers put them (issue 15): crmdesk's own
(at 75 bytes, never inside a character), ownCloud's (every 75 bytes, even inside a
UTF-8 character) and vCard 2.1's quoted-printable soft line breaks."""

from __future__ import annotations

import quopri

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmdesk.io.limits import Limits
from crmdesk.io.vcard_export import escape, fold_line
from crmdesk.io.vcard_import import VcardReader

# Text a note holds: any script, the characters vCard escapes, line breaks.
note_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029")
    | st.sampled_from(["\n", ",", ";", "\\", ":", "é", "山", "😀"]),
    min_size=1,
    max_size=300,
).filter(lambda t: t.strip() == t and t.strip())

_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def notes_of(tmp_path, data: bytes) -> str:
    path = tmp_path / "cards.vcf"
    path.write_bytes(data)
    with VcardReader(path, None, Limits()) as reader:
        (draft,) = list(reader.drafts())
        reader.finish()
    assert draft.issues == [], draft.issues
    return draft.data["notes"]


def card(*lines: bytes) -> bytes:
    return b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zo\xc3\xab\r\n" + b"".join(lines) + b"END:VCARD\r\n"


@_SETTINGS
@given(note_text)
def test_crmdesks_folds_read_back(tmp_path_factory, text):
    line = fold_line("NOTE:" + escape(text)).encode("utf-8")
    assert all(len(part) <= 76 for part in line.split(b"\r\n"))  # 75 and the fold's space
    assert notes_of(tmp_path_factory.mktemp("v"), card(line)) == text


@_SETTINGS
@given(note_text, st.integers(min_value=1, max_value=80))
def test_owncloud_folds_inside_a_character_read_back(tmp_path_factory, text, width):
    raw = ("NOTE:" + escape(text)).encode("utf-8")
    parts = [raw[i : i + width] for i in range(0, len(raw), width)]
    folded = b"\r\n ".join(parts) + b"\r\n"
    assert notes_of(tmp_path_factory.mktemp("v"), card(folded)) == text


@_SETTINGS
@given(note_text.filter(lambda t: "\n" not in t))
def test_quoted_printable_soft_breaks_read_back(tmp_path_factory, text):
    value = quopri.encodestring(escape(text).encode("utf-8")).replace(b"\n", b"\r\n")
    if not value.endswith(b"\r\n"):
        value += b"\r\n"
    line = b"NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:" + value
    data = card(line).replace(b"VERSION:3.0", b"VERSION:2.1")
    assert notes_of(tmp_path_factory.mktemp("v"), data) == text
