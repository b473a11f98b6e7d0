"""The reasonable-measures report: how the business keeps its client information secret.

A trade secret is protected only if its owner took reasonable measures to keep it
secret. This report gathers, for the owner's lawyer, what crmdesk can show of those
measures: encryption and the key, who may see what, the confidentiality policy and who
accepted it, the audit trail and its integrity, how the information was used, backups,
and, said plainly, the limits of all that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, HRFlowable, Paragraph

from crmdesk.domain.coverage import BookCoverage
from crmdesk.domain.roles import VISIBILITY, Role, Visibility, matrix_rows
from crmdesk.reports.context import ReportCancelled, ReportContext
from crmdesk.reports.coverage_report import kinds_table, summary_lines
from crmdesk.reports.fonts import SANS_BOLD
from crmdesk.reports.layout import (
    ACCENT,
    WARN,
    build_pdf,
    data_table,
    day,
    empty_note,
    frame_width,
    gap,
    heading,
    key_values,
    para,
    styles,
)

WIDTH = frame_width()

DEFAULT_CIPHER = (
    "SQLCipher 4: every page of the database encrypted with AES-256 (CBC) under a 256-bit "
    "random key and authenticated with HMAC-SHA512; journal and WAL files encrypted the "
    "same way; deleted records overwritten"
)
DEFAULT_RECOVERY = (
    "A recovery key was shown once when the vault was created, to be printed as a "
    "recovery kit and locked away; crmdesk never stores it."
)
DEFAULT_HEAD_KEPT = (
    "the vault's metadata file (vault.json), outside the encrypted database, and the "
    "footer of every printed report"
)
LIMITS = (
    "Anyone who holds the vault key (the owner's operating-system account, the recovery "
    "key, or the passphrase together with the vault folder) can open the vault and copy "
    "the whole file; malware running as a user can read the key while the vault is open; "
    "a screen can be photographed and a printed page carried out. crmdesk cannot prevent "
    "these. What it does is limit what each person sees to what their role needs, make "
    "every view, print, export and copy attributable to a person, mark every printed page "
    "with the name of the person who printed it, and keep a tamper-evident record of it "
    "all. Someone holding the key could rewrite the audit trail from an altered entry "
    "onwards or drop its newest entries; the head hash kept outside the database and "
    "printed on reports makes that detectable, but nothing inside one file can rule it out."
)
_VISIBILITY_WORDS = {
    Visibility.ALL: "every client in full",
    Visibility.ASSIGNED: "the clients assigned to them in full; basic contact information of "
    "the others",
    Visibility.BASIC: "basic contact information only",
}


def _default_visibility() -> list[tuple[str, str]]:
    return [(role.title, _VISIBILITY_WORDS[VISIBILITY[role]]) for role in Role]


@dataclass(frozen=True)
class KeyRotation:
    rotated_at: datetime
    reason: str
    by: str = ""


@dataclass(frozen=True)
class EncryptionFacts:
    key_held_in: str  # e.g. "the Secret Service (GNOME Keyring) of the owner's account"
    cipher: str = DEFAULT_CIPHER
    vault_created_at: datetime | None = None
    recovery_key: str = DEFAULT_RECOVERY
    rotations: Sequence[KeyRotation] = ()


@dataclass(frozen=True)
class UserFacts:
    login: str
    full_name: str
    role: str
    created_at: datetime
    disabled_at: datetime | None = None
    last_signin: datetime | None = None


@dataclass(frozen=True)
class PolicyVersionFacts:
    version: int
    published_at: datetime
    sha256: str
    published_by: str


@dataclass(frozen=True)
class PolicyAcceptanceFacts:
    login: str
    version: int
    accepted_at: datetime


@dataclass(frozen=True)
class AuditFacts:
    ok: bool
    length: int
    head: str
    first_at: datetime | None = None
    last_at: datetime | None = None
    first_bad_seq: int | None = None
    problem: str = ""
    head_kept: str = DEFAULT_HEAD_KEPT  # where the head is recorded outside the database


@dataclass(frozen=True)
class UsageFacts:
    """One user's use of client information over the period."""

    login: str
    value_added_views: int = 0
    prints: int = 0
    exports: int = 0
    copies: int = 0
    clients_out: int = 0  # clients in all those prints, exports and copies


@dataclass(frozen=True)
class BackupFacts:
    made_at: datetime
    where: str
    by: str = ""


@dataclass(frozen=True)
class MeasuresData:
    """Everything the measures report shows; times aware (UTC), shown in ``tz``."""

    business: str
    period_start: datetime  # the period the use figures and alerts cover
    period_end: datetime
    encryption: EncryptionFacts
    audit: AuditFacts
    users: Sequence[UserFacts] = ()
    policy_versions: Sequence[PolicyVersionFacts] = ()
    acceptances: Sequence[PolicyAcceptanceFacts] = ()
    usage: Sequence[UsageFacts] = ()
    alerts: Sequence[str] = ()
    backups: Sequence[BackupFacts] = ()
    role_names: Sequence[str] = field(default_factory=lambda: [r.title for r in Role])
    # (what, allowed for each role in role_names order)
    role_matrix: Sequence[tuple[str, Sequence[bool]]] = field(default_factory=matrix_rows)
    # (role, what of a client record it sees)
    role_visibility: Sequence[tuple[str, str]] = field(default_factory=_default_visibility)
    tz: tzinfo | None = None  # None: this computer's zone
    # How much of the client list is value-added information, and since when.
    coverage: BookCoverage | None = None


def users_without_current_policy(data: MeasuresData) -> list[str]:
    """Logins of active users who have not accepted the latest policy version."""
    if not data.policy_versions:
        return []
    current = max(v.version for v in data.policy_versions)
    accepted = {a.login for a in data.acceptances if a.version == current}
    return [u.login for u in data.users if u.disabled_at is None and u.login not in accepted]


def render_measures(
    ctx: ReportContext,
    data: MeasuresData,
    *,
    cancelled: Callable[[], bool] | None = None,
) -> bytes:
    """PDF bytes of the reasonable-measures report (A4). ``cancelled()`` returning True
    raises ReportCancelled."""
    s = styles()
    business = data.business or "the business"
    story: list[Flowable] = [
        Paragraph("Reasonable measures to keep client information secret", s.title),
        para(f"{business} · {ctx.printed_text}", s.subtitle),
        gap(4),
        HRFlowable(width="100%", thickness=1.2, color=ACCENT, spaceAfter=6),
        para(
            f"This report sets out the measures {business} takes to keep its client "
            "information secret, as recorded by crmdesk, the program in which that "
            "information is kept. The use of the information and the alerts cover "
            f"{_when(data.period_start, data.tz)} to {_when(data.period_end, data.tz)}; "
            f"times are shown in {_zone(data.tz, data.period_end)}."
        ),
    ]
    for section in (_protected, _encryption, _access, _policy, _audit, _use, _backups):
        if cancelled is not None and cancelled():
            raise ReportCancelled("The report was cancelled.")
        story += section(data)
    story += [heading("Limits"), para(LIMITS)]
    return build_pdf(story, ctx)


# ---------------------------------------------------------------------------- sections


def _protected(data: MeasuresData) -> list[Flowable]:
    """What the measures protect: a list that is more than a directory, with figures."""
    book = data.coverage
    if book is None:
        return []
    out: list[Flowable] = [
        heading("What is protected: value-added information", confidential=True),
        para(
            "A client list is a trade secret for the information in it that took effort to "
            "gather, beyond names and addresses. As of "
            f"{day(book.as_of)}, crmdesk holds the following (figures and dates from the "
            "records and their audit trail; the Coverage report "
            "gives them by salesperson and month by month):"
        ),
        gap(3),
    ]
    out += [para(line) for line in summary_lines(book, data.business)]
    out += [gap(4), kinds_table(book)]
    return out


def _encryption(data: MeasuresData) -> list[Flowable]:
    enc, tz = data.encryption, data.tz
    out: list[Flowable] = [
        heading("Encryption"),
        key_values(
            [
                ("Cipher", enc.cipher),
                ("Where the key is held", enc.key_held_in),
                ("Recovery key", enc.recovery_key),
                ("Vault created", _when(enc.vault_created_at, tz)),
            ],
            WIDTH,
            label_width=130,
        ),
        Paragraph("Key rotations", styles().subheading),
    ]
    if not enc.rotations:
        return [*out, empty_note("The key has not been changed since the vault was created.")]
    rows = [
        [_when(r.rotated_at, tz), r.by, r.reason]
        for r in sorted(enc.rotations, key=lambda r: r.rotated_at)
    ]
    return [*out, data_table(["Date", "By", "Reason"], rows, [110, 100, WIDTH - 210])]


def _access(data: MeasuresData) -> list[Flowable]:
    s, tz = styles(), data.tz
    out: list[Flowable] = [
        heading("Access control"),
        para(
            "Each person signs in with their own account and sees only what their role "
            "needs. What each role sees of a client record:"
        ),
        gap(3),
        key_values(list(data.role_visibility), WIDTH, label_width=110),
        Paragraph("Users", s.subheading),
    ]
    if data.users:
        rows = [
            [
                f"{u.full_name}\n{u.login}",
                u.role.capitalize(),
                f"Disabled {_when(u.disabled_at, tz)}" if u.disabled_at else "Active",
                _when(u.created_at, tz),
                _when(u.last_signin, tz) if u.last_signin else "never",
            ]
            for u in sorted(data.users, key=lambda u: (u.disabled_at is not None, u.login))
        ]
        out.append(
            data_table(
                ["User", "Role", "Status", "Created", "Last sign-in"],
                rows,
                [WIDTH - 370, 70, 110, 95, 95],
            )
        )
    else:
        out.append(empty_note("No users recorded."))
    names = list(data.role_names)
    if data.role_matrix:
        out += [Paragraph("What each role may do", s.subheading)]
        rows = [
            [what[:1].upper() + what[1:], *("✓" if ok else "—" for ok in allowed)]
            for what, allowed in data.role_matrix
        ]
        col = 74.0
        out.append(
            data_table(
                ["Action", *names],
                rows,
                [WIDTH - col * len(names), *([col] * len(names))],
            )
        )
        if names:
            out[-1].setStyle([("ALIGN", (1, 1), (-1, -1), "CENTER")])
    return out


def _policy(data: MeasuresData) -> list[Flowable]:
    s, tz = styles(), data.tz
    out: list[Flowable] = [
        heading("Confidentiality policy"),
        para(
            "Every user must accept the current confidentiality policy before crmdesk shows "
            "them any client record; each new version must be accepted again. Each version "
            "is kept with the SHA-256 hash of its text."
        ),
        Paragraph("Versions", s.subheading),
    ]
    versions = sorted(data.policy_versions, key=lambda v: v.version)
    if not versions:
        return [*out, empty_note("No policy has been published.")]
    out.append(
        data_table(
            ["Version", "Published", "By", "SHA-256 of the text"],
            [
                [str(v.version), _when(v.published_at, tz), v.published_by, _hash(v.sha256)]
                for v in versions
            ],
            [50, 100, 90, WIDTH - 240],
        )
    )
    current = versions[-1].version
    latest: dict[str, PolicyAcceptanceFacts] = {}
    for a in sorted(data.acceptances, key=lambda a: (a.version, a.accepted_at)):
        latest[a.login] = a
    missing = set(users_without_current_policy(data))
    flag = ParagraphStyle("flag", parent=s.cell, textColor=WARN, fontName=SANS_BOLD)
    rows: list[list[object]] = []
    for u in sorted(data.users, key=lambda u: (u.disabled_at is not None, u.login)):
        a = latest.get(u.login)
        accepted = f"Version {a.version}, {_when(a.accepted_at, tz)}" if a else "never"
        if u.login in missing:
            state: object = Paragraph(f"NOT ACCEPTED: version {current} is current", flag)
        elif u.disabled_at is not None:
            state = "Account disabled"
        else:
            state = "Current version accepted"
        rows.append([f"{u.full_name}\n{u.login}", accepted, state])
    out += [Paragraph("Acceptance by each user", s.subheading)]
    if rows:
        out.append(
            data_table(["User", "Last accepted", "Current version"], rows, [WIDTH - 330, 170, 160])
        )
    else:
        out.append(empty_note("No users recorded."))
    if missing:
        out += [
            gap(3),
            para(
                f"{len(missing)} active user{'s have' if len(missing) != 1 else ' has'} not "
                f"accepted version {current}; crmdesk shows them no client record until they do.",
                s.small,
            ),
        ]
    return out


def _audit(data: MeasuresData) -> list[Flowable]:
    audit, tz = data.audit, data.tz
    if audit.ok:
        result = "Verified: every entry's hash matches its content and the entry before it."
    else:
        where = f" at entry {audit.first_bad_seq}" if audit.first_bad_seq is not None else ""
        result = f"BROKEN{where}: {audit.problem or 'the chain does not verify'}."
    return [
        heading("Audit trail"),
        para(
            "crmdesk records who views value-added information, who searches, prints, "
            "exports and copies client information, every sign-in (including failed ones) "
            "and every change, in a hash chain: each entry holds the SHA-256 of its own "
            "content and of the entry before it, so an edited, deleted, inserted or "
            "reordered entry shows, and is signed by the person who made it. A change to a "
            "record is saved in the same transaction as its audit entry."
        ),
        gap(3),
        key_values(
            [
                ("Integrity check", result),
                ("Entries", f"{audit.length:,}"),
                ("Head hash", audit.head),
                ("First entry", _when(audit.first_at, tz)),
                ("Last entry", _when(audit.last_at, tz)),
                ("Head also kept in", audit.head_kept),
            ],
            WIDTH,
            label_width=130,
        ),
    ]


def _use(data: MeasuresData) -> list[Flowable]:
    s = styles()
    names = {u.login: u.full_name for u in data.users}
    out: list[Flowable] = [
        heading("Use of the information"),
        para(
            f"Views of value-added information, prints, exports and copies per user from "
            f"{_when(data.period_start, data.tz)} to {_when(data.period_end, data.tz)}. "
            "Every printed page carries the name of the person who printed it, and every "
            "report is registered under its report ID."
        ),
        gap(3),
    ]
    if data.usage:
        rows = [
            [
                f"{names.get(u.login, u.login)}\n{u.login}" if u.login in names else u.login,
                f"{u.value_added_views:,}",
                f"{u.prints:,}",
                f"{u.exports:,}",
                f"{u.copies:,}",
                f"{u.clients_out:,}",
            ]
            for u in sorted(data.usage, key=lambda u: u.login)
        ]
        out.append(
            data_table(
                ["User", "Value-added\nviews", "Prints", "Exports", "Copies", "Clients in\nthem"],
                rows,
                [WIDTH - 330, 70, 60, 60, 60, 80],
                right_columns=(1, 2, 3, 4, 5),
            )
        )
    else:
        out.append(empty_note("No use recorded in the period."))
    out.append(Paragraph("Alerts raised", s.subheading))
    if data.alerts:
        out.append(data_table(["Alert"], [[a] for a in data.alerts], [WIDTH]))
    else:
        out.append(empty_note("No alerts were raised in the period."))
    return out


def _backups(data: MeasuresData) -> list[Flowable]:
    out: list[Flowable] = [
        heading("Backups"),
        para("Backups are copies of the encrypted vault: they open only with the vault key."),
        gap(3),
    ]
    if not data.backups:
        return [*out, empty_note("No backups recorded.")]
    rows = [
        [_when(b.made_at, data.tz), b.where, b.by]
        for b in sorted(data.backups, key=lambda b: b.made_at)
    ]
    return [*out, data_table(["Date", "Where", "By"], rows, [110, WIDTH - 210, 100])]


# ---------------------------------------------------------------------------- text


def _hash(digest: str) -> str:
    """A hex digest on two lines of 32: one unbroken word would run out of its column."""
    return f"{digest[:32]}\n{digest[32:]}" if len(digest) > 32 else digest


def _local(ts: datetime, tz: tzinfo | None) -> datetime:
    return ts.astimezone(tz) if tz is not None else ts.astimezone()


def _when(ts: datetime | None, tz: tzinfo | None) -> str:
    if ts is None:
        return ""
    local = _local(ts, tz)
    return f"{day(local)} {local:%H:%M}"


def _zone(tz: tzinfo | None, at: datetime) -> str:
    local = _local(at, tz)
    offset = local.strftime("%z")
    label = f"UTC{offset[:3]}:{offset[3:]}"
    name = local.tzname() or ""
    return f"{label} ({name})" if name and name not in (label, "UTC") else label
