"""The default confidentiality policy, its hash and the checks on an edited text."""

from __future__ import annotations

import hashlib

import pytest

from crmdesk.domain.policy_text import (
    DEFAULT_POLICY_TITLE,
    DTSA_NOTICE,
    DTSA_NOTICE_SHORT,
    MAX_POLICY_CHARS,
    PolicyTextError,
    check_policy_text,
    default_policy,
    policy_hash,
)

BUSINESS = "Łukasiewicz Trading"


def test_default_policy_names_the_business_and_says_what_is_secret():
    text = default_policy(BUSINESS)
    assert text.startswith(DEFAULT_POLICY_TITLE)
    assert BUSINESS in text
    for expected in (
        "trade secret",
        "need-to-know",
        "purchasing patterns",
        "seasonal business needs",
        "specifications",
        "hobbies, activities, education, memberships",
        "sign-in",
        "watermarked",
        "shred",
        "exit certification",
        "continues after your employment ends",
    ):
        assert expected in text, expected


def test_default_policy_carries_the_dtsa_notice_and_the_reporting_line():
    text = default_policy(BUSINESS)
    assert "1833(b)" in text
    assert "under seal" in text
    assert "in confidence to a federal, state, or local government official" in text
    assert "solely for the purpose of reporting or investigating a suspected violation" in text
    assert "retaliation by an employer" in text
    assert "except pursuant to court order" in text
    assert "Nothing in this policy prohibits you from reporting possible violations of law" in text
    for paragraph in DTSA_NOTICE.split("\n\n"):
        assert paragraph in text


def test_default_policy_is_plain_paragraphs():
    text = default_policy(BUSINESS)
    blocks = text.strip().split("\n\n")
    assert len(blocks) > 10
    assert all(block.strip() == block and "\n" not in block for block in blocks)
    assert not any(mark in text for mark in ("<", ">", "**", "#"))
    # Headings are short lines of their own.
    assert "Access on a need-to-know basis" in blocks


def test_default_policy_without_a_business_name_still_reads():
    text = default_policy("  ")
    assert text.startswith(DEFAULT_POLICY_TITLE + "\n")
    assert "a trade secret of the business" in text
    check_policy_text(text)


def test_short_notice_keeps_the_substance():
    for expected in ("1833(b)", "government official", "attorney", "under seal", "retaliation"):
        assert expected in DTSA_NOTICE_SHORT


def test_hash_is_the_same_for_crlf_and_lf_and_trailing_whitespace():
    lf = default_policy(BUSINESS)
    crlf = lf.replace("\n", "\r\n")
    assert policy_hash(lf) == policy_hash(crlf) == policy_hash(lf + "  \n\n")
    assert policy_hash(lf.replace("\n", "\r")) == policy_hash(lf)
    assert policy_hash(lf) == hashlib.sha256(lf.rstrip().encode()).hexdigest()
    assert policy_hash(lf) != policy_hash(lf.replace("trade secret", "trade  secret"))
    assert len(policy_hash("x")) == 64


def test_check_returns_the_cleaned_text():
    text = default_policy(BUSINESS).replace("\n", "\r\n") + "\r\n\r\n"
    cleaned = check_policy_text(text)
    assert "\r" not in cleaned
    assert cleaned == default_policy(BUSINESS).rstrip()
    assert policy_hash(cleaned) == policy_hash(text)


@pytest.mark.parametrize("text", ["", "   ", "\r\n\r\n\t"])
def test_check_refuses_an_empty_policy(text):
    with pytest.raises(PolicyTextError, match="empty"):
        check_policy_text(text)


def test_check_refuses_a_huge_policy():
    text = default_policy(BUSINESS)
    huge = text + "x" * (MAX_POLICY_CHARS - len(text.rstrip()) + 1)
    with pytest.raises(PolicyTextError, match="50,000"):
        check_policy_text(huge)
    # Exactly the limit is fine.
    check_policy_text(text.rstrip() + "x" * (MAX_POLICY_CHARS - len(text.rstrip())))


def test_check_refuses_a_policy_without_the_notice():
    edited = "\n\n".join(
        block for block in default_policy(BUSINESS).split("\n\n") if "1833" not in block
    )
    with pytest.raises(PolicyTextError) as caught:
        check_policy_text(edited)
    message = str(caught.value)
    assert "1833(b)" in message and "keep" in message
    assert isinstance(caught.value, ValueError)
    assert caught.value.message == message
