"""The confidentiality policy: the default text an owner starts from, and its checks.

The text is plain: paragraphs separated by blank lines, headings as short lines of their
own, no markup, so it reads the same in the app, on paper and in a court exhibit. The
owner may change every word except the whistleblower immunity notice of the Defend Trade
Secrets Act: an employer who leaves it out of a confidentiality policy loses the right
to exemplary damages and attorney fees against an employee (18 U.S.C. § 1833(b)(3)).
"""

from __future__ import annotations

import hashlib

DEFAULT_POLICY_TITLE = "Confidentiality policy for client information"
MAX_POLICY_CHARS = 50_000
NOTICE_MARKER = "1833"  # what tells that an edited text still carries the notice

DTSA_NOTICE_HEADING = "Notice of immunity under the Defend Trade Secrets Act"

# The substance of 18 U.S.C. § 1833(b)(1) and (2), as the statute says it.
DTSA_NOTICE = (
    "Under the Defend Trade Secrets Act of 2016, 18 U.S.C. § 1833(b), an individual "
    "shall not be held criminally or civilly liable under any federal or state trade "
    "secret law for the disclosure of a trade secret that (A) is made (i) in confidence "
    "to a federal, state, or local government official, either directly or indirectly, "
    "or to an attorney; and (ii) solely for the purpose of reporting or investigating a "
    "suspected violation of law; or (B) is made in a complaint or other document filed "
    "in a lawsuit or other proceeding, if such filing is made under seal."
    "\n\n"
    "An individual who files a lawsuit for retaliation by an employer for reporting a "
    "suspected violation of law may disclose the trade secret to the attorney of the "
    "individual and use the trade secret information in the court proceeding, if the "
    "individual files any document containing the trade secret under seal and does not "
    "disclose the trade secret, except pursuant to court order."
)

# The same notice in one paragraph, for a signed form such as the exit certification.
DTSA_NOTICE_SHORT = (
    "Notice under 18 U.S.C. § 1833(b): you will not be held criminally or civilly liable "
    "under any federal or state trade secret law for disclosing a trade secret (A) in "
    "confidence to a federal, state, or local government official, directly or "
    "indirectly, or to an attorney, solely for the purpose of reporting or investigating "
    "a suspected violation of law; or (B) in a complaint or other document filed in a "
    "lawsuit or other proceeding, if such filing is made under seal. If you sue an "
    "employer for retaliation for reporting a suspected violation of law, you may "
    "disclose the trade secret to your attorney and use it in the court proceeding, if "
    "you file any document containing it under seal and do not disclose it, except "
    "pursuant to court order."
)

REPORTING_NOTE = (
    "Nothing in this policy prohibits you from reporting possible violations of law or "
    "regulation to any government agency, from making other disclosures that the law "
    "protects, or from taking part in a government investigation. You do not need the "
    "permission of the business to do so, nor to tell it that you have."
)


class PolicyTextError(ValueError):
    """A policy text was refused; the message says why and what to do."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def default_policy(business: str) -> str:
    """The default policy for ``business``, ready for the owner to edit."""
    name = " ".join(business.split()) or "the business"
    title = f"{DEFAULT_POLICY_TITLE} of {name}" if business.strip() else DEFAULT_POLICY_TITLE
    sections: list[tuple[str, list[str]]] = [
        (
            "What this policy protects",
            [
                f"The client information kept in crmdesk is a trade secret of {name} and is "
                "confidential. It is not a mere list of names and contact details. It is "
                f"value-added information that {name} has gathered through research, effort "
                "and long relationships with its clients: their purchasing patterns and "
                "order history, their preferences and the prices and terms agreed with "
                "them, their seasonal business needs, the specifications of the products and "
                "services they buy, and personal information about the people at each "
                "client, such as their hobbies, activities, education, memberships and "
                "family.",
                f"Taken together this information gives {name} an advantage that competitors "
                "do not have and could not put together without the same years of work. It "
                "stays confidential whether you see it on the screen, on paper, in a file or "
                "in your memory.",
            ],
        ),
        (
            "Access on a need-to-know basis",
            [
                "Each person sees only what their role needs. Owners and managers see every "
                "client record; a salesperson sees the full record of the clients assigned "
                "to them and only the basic contact information of the others; an assistant "
                "sees basic contact information only. Do not try to see more than your role "
                "allows, do not use another person's account, and do not share your "
                "password. Lock the screen (Ctrl+L) whenever you leave your computer.",
            ],
        ),
        (
            "Use is recorded and reviewed",
            [
                "crmdesk records who does what with client information: each view of "
                "value-added information, each search, print, export and copy, and each "
                "sign-in, including failed ones. The records cannot be changed without it "
                "showing. The owner reviews them and is alerted to unusual activity, such "
                "as many client records viewed in a short time or a large list printed "
                "outside working hours.",
            ],
        ),
        (
            "Copying, printing and taking information out",
            [
                "Do not copy, photograph or screenshot client information, export it, e-mail "
                "it to a personal account, upload it to personal cloud storage or a personal "
                "phone, or take it off the premises, except as your job requires.",
                "Every printed report is watermarked with the name of the person who printed "
                "it and registered under its report ID, so any page can be traced. Keep "
                "printed reports out of sight of others, do not leave them at the printer, "
                "and return them or shred them as soon as you no longer need them.",
                "If you think client information has been lost, sent to the wrong person or "
                "taken, tell the owner at once.",
            ],
        ),
        (
            "When you leave",
            [
                "On or before your last day, return every document, printed report, file "
                "and device that holds client information, and sign an exit certification "
                "that you hold no copies of it in any form. Your crmdesk account is closed "
                "when you leave.",
            ],
        ),
        (
            "Your duties continue",
            [
                "Your duty to keep client information confidential, and not to use it for "
                "yourself or for anyone else, continues after your employment ends, for as "
                "long as the information remains confidential.",
                "This policy is about client information. It does not restrict you from "
                "discussing your own wages, hours or other terms and conditions of "
                "employment.",
            ],
        ),
        (DTSA_NOTICE_HEADING, [*DTSA_NOTICE.split("\n\n"), REPORTING_NOTE]),
        (
            "Your acceptance",
            [
                "By accepting this policy in crmdesk you confirm that you have read it and "
                "will follow it. If anything in it is unclear, ask the owner before you "
                "accept.",
            ],
        ),
    ]
    blocks = [title]
    for heading, paragraphs in sections:
        blocks.append(heading)
        blocks.extend(paragraphs)
    return "\n\n".join(blocks)


def normalise_policy_text(text: str) -> str:
    """Line endings as ``\\n`` and no trailing whitespace at the end of the text."""
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip()


def policy_hash(text: str) -> str:
    """SHA-256 (hex) of the normalised text: the same policy saved on Windows or Linux
    hashes the same."""
    return hashlib.sha256(normalise_policy_text(text).encode("utf-8")).hexdigest()


def check_policy_text(text: str) -> str:
    """The cleaned text, or :class:`PolicyTextError` saying what is wrong with it."""
    cleaned = normalise_policy_text(text)
    if not cleaned.strip():
        raise PolicyTextError("The policy is empty. Write the policy, or start from the default.")
    if len(cleaned) > MAX_POLICY_CHARS:
        raise PolicyTextError(
            f"The policy is {len(cleaned):,} characters long; the most it may be is "
            f"{MAX_POLICY_CHARS:,}. Shorten it."
        )
    if NOTICE_MARKER not in cleaned:
        raise PolicyTextError(
            "The policy must keep the notice of immunity under the Defend Trade Secrets Act "
            "(18 U.S.C. § 1833(b)). You may edit the rest of the text, but keep that notice: "
            "without it the business loses the right to exemplary damages and attorney fees "
            "against an employee who misuses client information."
        )
    return cleaned
