"""The check that no audit entry was altered, and that each was written by who it names.

The walk checks, entry by entry, in one pass over the table:

* the hash chain: numbering without gaps, each entry's link to the one before, each
  entry's hash over its content (for an entry resealed at an upgrade, over its original
  details when the audit key opens them, else through the digest the owner signed);
* with ``keys`` (the person keys the vault vouches for, by login and serial): every
  signature, against the signer's key of the serial the entry names. Entries after the
  first signed one must all be signed; entries before it may be unsigned only in a vault
  upgraded from before signatures, whose ``vault.upgraded`` entry, signed by the owner,
  names the last unsigned entry. The actor must be the signer, except for failed or
  throttled sign-ins that someone recorded on the typed login's behalf (their details
  say who: ``recorded_by``, who must be the signer).

What this catches, for someone who holds the database key but not a person's signing
key: an entry added in another person's name (unsigned, signed with another key, or
naming an actor other than its signer), an entry edited, and an entry deleted from the
middle with the chain recomputed (the later entries' hashes change, so their signatures
no longer match).

What remains, said plainly (SECURITY.md repeats it):

* someone who holds the database key *and* their own signing key can delete or rewrite
  entries from the middle if every later entry is their own: they re-sign those;
* anyone with the database key can drop the newest entries and set vault.json's
  ``audit_head`` to match; the head printed on reports, and backups, are what show it;
* the keys are vouched for back to the owner's first signing key pinned in vault.json;
  someone who can replace that pin and every endorsement can vouch for keys of their own
  (the owner's own sign-in, which checks the pin against their slot, is what shows it).

The walk is a small state machine fed one row at a time (:class:`_Walk`), so that it can
resume from a checkpoint (:mod:`crmdesk.audit.checkpoint`: entries 1..N verified, every
signature included, entry N's hash H, signed by a person the services trust for it):

* with ``rehash`` (``audit verify``), the whole hash chain is still recomputed from the
  first entry, in batches (SQLite spells each entry's canonical JSON and hands over a
  batch as one row; one SHA-256 an entry, byte strings compared at C speed; a batch that
  does not check out is walked again entry by entry, with Python's own encoder deciding),
  and must arrive at entry N with hash H; signatures are checked after N only. Since H
  binds every entry up to N, this trusts nothing that the signatures checked then would
  not show now, except keys the vault vouched for then;
* without ``rehash`` (backups, reports), only entry N's stored hash is compared with H
  and the walk starts after it: this also trusts that nobody edited entries up to N
  since the checkpoint was made (the next ``audit verify`` shows it if they did);
* without ``keys`` (a chain-only check, e.g. a backup's copy), every entry goes through
  the batched path;
* with ``keys`` and no checkpoint (the first walk, or ``audit verify --full``), every
  signature is checked: about 50-90 microseconds an entry, the cost of Ed25519 in Python.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from crmdesk.audit.chain import ChainReport, Connection, _entry_hash, genesis_hash
from crmdesk.audit.checkpoint import Checkpoint
from crmdesk.audit.rehash import Batch
from crmdesk.audit.rehash import rehash as rehash_chain
from crmdesk.audit.resealed import ResealDigest, resealed_box

UPGRADED = "vault.upgraded"
# Recorded by whoever signs in next, on behalf of the login that was typed.
ON_BEHALF = frozenset({"signin.failed", "signin.throttled"})


class PublicKey(Protocol):
    def verify(self, message: bytes, signature: bytes) -> bool: ...


@dataclass(frozen=True, slots=True)
class SignerKey:
    """A person's signing key of one serial, as the vault vouches for it."""

    public: PublicKey
    owner: bool  # endorsed with the owner's role (only the owner vouches for an upgrade)


# (login, serial) -> the key the vault vouches for, or None if it vouches for none.
KeyLookup = Callable[[str, int], SignerKey | None]
# A resealed entry's stored details -> its original details text, or None if the audit
# keys at hand do not open it.
Unsealer = Callable[[str], str | None]


def verify(
    conn: Connection,
    vault_id: str,
    *,
    recorded_head: tuple[int, str] | None = None,
    head_required: bool = False,
    keys: KeyLookup | None = None,
    unseal: Unsealer | None = None,
    checkpoint: Checkpoint | None = None,
    rehash: bool = True,
) -> ChainReport:
    """Walk the whole chain; report the first entry that does not check out.

    With ``recorded_head`` (the newest entry's number and hash as recorded outside the
    database, in vault.json), the chain must also reach that entry, and that entry must
    have that hash: otherwise its newest entries were removed, or it was rewritten. A
    chain longer than the recorded head is fine (newer entries whose head was not
    recorded yet). Read the recorded head *before* calling this, so that it can only be
    older than what the walk sees. ``head_required``: a vault that has had a recorded
    head must still have one (removing it would hide a removal of the newest entries).

    Without ``keys`` only the chain is checked (signatures are not). ``checkpoint``: one
    the caller trusts (its signature checked, :func:`crmdesk.audit.checkpoint.newest_trusted`):
    signatures are checked only after it; ``rehash`` says whether entries up to it are
    still rehashed (the module docstring says what each trusts).
    """
    upgrade = _Upgrade.find(conn)
    walk = _Walk(vault_id, upgrade, keys, unseal, recorded_head[0] if recorded_head else None)
    signed = _has_signature_columns(conn)
    columns = _COLUMNS + (", signer, key_serial, sig" if signed else ", NULL, NULL, NULL")
    if checkpoint is not None and upgrade is not None and checkpoint.seq < upgrade.seq:
        checkpoint = None  # the upgrade entry vouches for what is before it: walk past it
    if checkpoint is not None:
        problem = _to_checkpoint(conn, walk, checkpoint, columns, rehash=rehash)
        if problem is not None:
            # The trail changed since it was verified: a walk of every signature finds
            # the first entry touched; if it finds none (someone re-signed only their own
            # entries), the checkpoint itself is the evidence.
            whole = verify(
                conn,
                vault_id,
                recorded_head=recorded_head,
                head_required=head_required,
                keys=keys,
                unseal=unseal,
            )
            return whole if not whole.ok else walk.bad(problem[0], problem[1])
        if not rehash and recorded_head is not None and recorded_head[0] <= checkpoint.seq:
            row = conn.execute(
                "SELECT hash FROM audit_events WHERE seq = ?", (recorded_head[0],)
            ).fetchone()
            walk.remembered = str(row[0]) if row else None
    elif keys is None:
        problem = rehash_chain(conn, walk, None, columns)
        if problem is not None:
            return walk.bad(problem[0], problem[1])
    # One statement for the rest: one consistent snapshot of the table.
    rest = conn.execute(
        f"SELECT {columns} FROM audit_events WHERE seq >= ? ORDER BY seq", (walk.expected_seq,)
    )
    for row in rest:
        problem = walk.step(row)
        if problem is not None:
            return walk.bad(int(row[0]), problem)
    problem = walk.finish()
    if problem is not None:
        return walk.bad(problem[0], problem[1])
    report = walk.report()
    if recorded_head is None:
        if head_required and report.length:
            return ChainReport(
                ok=False,
                length=report.length,
                head=report.head,
                problem=(
                    "vault.json no longer records the audit trail's newest entry (its "
                    "audit_head was removed), so a removal of the newest entries could not "
                    "be told; the vault had one"
                ),
                signed=report.signed,
                unsigned=report.unsigned,
                checkpoint_seq=report.checkpoint_seq,
                rehashed=report.rehashed,
            )
        return report
    return _compare_with_recorded(report, walk.remembered, *recorded_head)


def _to_checkpoint(
    conn: Connection, walk: _Walk, cp: Checkpoint, columns: str, *, rehash: bool
) -> tuple[int, str] | None:
    """Bring the walk to the checkpoint's entry: rehashing every entry up to it, or
    comparing only that entry's hash. A problem as (entry, problem)."""
    if rehash:
        problem = rehash_chain(conn, walk, cp.seq, columns)
        if problem is not None:
            return problem
        found: str | None = walk.prev if walk.expected_seq - 1 == cp.seq else None
    else:
        row = conn.execute("SELECT hash FROM audit_events WHERE seq = ?", (cp.seq,)).fetchone()
        found = str(row[0]) if row else None
        walk.expected_seq, walk.prev, walk.rehashed = cp.seq + 1, cp.hash, False
    if found is None:
        length = conn.execute("SELECT coalesce(max(seq), 0) FROM audit_events").fetchone()[0]
        walk.expected_seq = min(walk.expected_seq, int(length) + 1)
        return cp.seq, (
            f"entry {cp.seq} is gone, though {cp.signer} verified the trail up to it on "
            f"{cp.made_at[:10]} (a checkpoint they signed): the newest entries were removed"
        )
    if found != cp.hash:
        return cp.seq, (
            f"entry {cp.seq} is not the one {cp.signer} verified on {cp.made_at[:10]} (a "
            "checkpoint they signed records another hash): the trail was rewritten up to "
            f"entry {cp.seq} or earlier since"
        )
    walk.resume(cp)
    return None


_COLUMNS = "seq, ts, actor, action, object, details, prev_hash, hash"


def _has_signature_columns(conn: Connection) -> bool:
    names = {r[1] for r in conn.execute("PRAGMA table_info(audit_events)")}
    return "sig" in names


@dataclass(frozen=True, slots=True)
class _Upgrade:
    """The first ``vault.upgraded`` entry, read ahead of the walk (it vouches for what
    comes before it; the walk checks its own signature when it gets there)."""

    seq: int
    unsigned_until: int | None
    resealed_count: int
    resealed_digest: str | None

    @classmethod
    def find(cls, conn: Connection) -> _Upgrade | None:
        row = conn.execute(
            "SELECT seq, details FROM audit_events WHERE action = ? ORDER BY seq LIMIT 1",
            (UPGRADED,),
        ).fetchone()
        if row is None:
            return None
        try:
            details = json.loads(row[1])
        except ValueError:
            details = {}
        details = details if isinstance(details, dict) else {}
        until = details.get("unsigned_until")
        resealed = details.get("resealed")
        resealed = resealed if isinstance(resealed, dict) else {}
        count, digest = resealed.get("entries", 0), resealed.get("digest")
        return cls(
            int(row[0]),
            until if type(until) is int and 0 <= until < int(row[0]) else None,
            count if type(count) is int else -1,
            digest if isinstance(digest, str) else None,
        )


class _Walk:
    """The chain's state after each entry; ``step`` checks the next one."""

    def __init__(
        self,
        vault_id: str,
        upgrade: _Upgrade | None,
        keys: KeyLookup | None,
        unseal: Unsealer | None,
        remember_seq: int | None,
    ) -> None:
        self.expected_seq = 1
        self.prev = genesis_hash(vault_id)
        self.upgrade = upgrade
        # Entries up to this one may be unsigned (and resealed): the upgrade says so.
        self.legacy_until = upgrade.unsigned_until if upgrade and upgrade.unsigned_until else 0
        self.keys = keys
        self.unseal = unseal
        self.cache: dict[tuple[str, int], SignerKey | None] = {}
        self.digest = ResealDigest()
        self.first_signed: int | None = None
        self.signed = 0
        self.unsigned = 0
        self.remember_seq = remember_seq
        self.remembered: str | None = None
        # Set when the bad entry is not the one the walk stands on (a digest covering
        # earlier entries fails at the upgrade entry).
        self.bad_seq: int | None = None
        # Signatures up to this entry were vouched for by a checkpoint.
        self.checkpoint_seq: int | None = None
        self.rehashed = True

    def slow_until(self) -> int:
        """The last entry the batched path must leave to :meth:`step`: resealed entries
        and the upgrade entry (0: none)."""
        return max(self.legacy_until, self.upgrade.seq if self.upgrade else 0)

    def batch(self, batch: Batch) -> bool:
        """A batch of entries as SQLite read them (:class:`crmdesk.audit.rehash.Batch`),
        hash chain only; False (and nothing moved) when it does not check out so."""
        start = self.expected_seq
        count = batch.count
        if (
            batch.first != start
            or count != batch.last - start + 1
            or batch.low != start
            or batch.high != batch.last
            or batch.texts is None
            or batch.prevs is None
            or batch.hashes is None
            or len(batch.hashes) != 32 * count
        ):
            return False
        # Each entry links to the one before (the batch's first to the walk's last), and
        # each hash is the SHA-256 of the entry's canonical JSON: whole byte strings
        # compared, so a batch read out of order fails too.
        hashes = batch.hashes
        if batch.prevs != bytes.fromhex(self.prev) + hashes[:-32]:
            return False
        texts = batch.texts.split(b"\n")
        sha = hashlib.sha256
        if len(texts) != count or b"".join([sha(t).digest() for t in texts]) != hashes:
            return False
        if self.remember_seq is not None and start <= self.remember_seq < start + count:
            at = 32 * (self.remember_seq - start)
            self.remembered = hashes[at : at + 32].hex()
        self.prev = hashes[-32:].hex()
        self.expected_seq = start + count
        return True

    def resume(self, cp: Checkpoint) -> None:
        """Carry on after a checkpoint's entry, its signatures' tally as it recorded it."""
        self.checkpoint_seq = cp.seq
        self.signed, self.unsigned, self.first_signed = cp.signed, cp.unsigned, cp.first_signed

    def step(self, row: tuple[Any, ...]) -> str | None:  # noqa: C901 - one rule per branch
        seq, ts, actor, action, obj, details, prev_hash, digest, signer, serial, sig = row
        if seq != self.expected_seq:
            return (
                f"entry {self.expected_seq} is missing: the entry after {self.expected_seq - 1} "
                f"is numbered {seq} (entries were deleted or renumbered)"
            )
        if prev_hash != self.prev:
            return (
                f"entry {seq} does not follow the entry before it (an entry was removed, "
                "inserted, reordered or rewritten just before it)"
            )
        box = resealed_box(details) if seq <= self.legacy_until else None
        if box is not None:
            self.digest.add(row)
            # Without the audit key, the owner-signed digest in the upgrade entry vouches
            # for it; with it, the original details must give the entry's hash.
            original = self.unseal(details) if self.unseal is not None else None
            if (
                original is not None
                and _entry_hash(seq, ts, actor, action, obj, original, prev_hash) != digest
            ):
                return (
                    f"entry {seq} was changed after it was written (its sealed details "
                    "no longer match its hash)"
                )
        elif _entry_hash(seq, ts, actor, action, obj, details, prev_hash) != digest:
            return (
                f"entry {seq} was changed after it was written (its content no longer "
                "matches its hash)"
            )
        if self.keys is not None:
            problem = self._signature(seq, actor, action, details, digest, signer, serial, sig)
            if problem is not None:
                return problem
        if self.upgrade is not None and seq == self.upgrade.seq:
            problem = self._upgrade_entry(seq, signer, serial)
            if problem is not None:
                return problem
        self.prev = digest
        if seq == self.remember_seq:
            self.remembered = digest
        self.expected_seq += 1
        return None

    def _signature(
        self,
        seq: int,
        actor: str,
        action: str,
        details: str,
        digest: str,
        signer: str | None,
        serial: int | None,
        sig: bytes | None,
    ) -> str | None:
        if sig is None or signer is None or serial is None:
            if self.first_signed is None and seq <= self.legacy_until:
                self.unsigned += 1
                return None  # written before the upgrade, which vouches for it
            since = f"since entry {self.first_signed}" if self.first_signed else "in this vault"
            return (
                f"entry {seq} is not signed, though every entry {since} is signed by who "
                "made it: it was added or rewritten by someone holding the database key"
            )
        if self.first_signed is None:
            self.first_signed = seq
        key = self._key(signer, int(serial))
        if key is None:
            return (
                f"entry {seq} is signed as {signer!r} with key {serial}, which the vault "
                "does not vouch for (no key of that serial endorsed back to the owner)"
            )
        if not key.public.verify(bytes.fromhex(digest), bytes(sig)):
            return (
                f"entry {seq}'s signature does not match it: it was forged or rewritten "
                "after it was signed, or an entry before it was removed, added or changed "
                "and the chain recomputed"
            )
        if actor.casefold() != signer.casefold() and not _on_behalf(action, details, signer):
            return (
                f"entry {seq} names {actor!r} as who acted but was signed by {signer!r}: "
                "only failed sign-ins are recorded on someone else's behalf"
            )
        self.signed += 1
        return None

    def _key(self, signer: str, serial: int) -> SignerKey | None:
        assert self.keys is not None
        name = (signer.casefold(), serial)
        if name not in self.cache:
            self.cache[name] = self.keys(signer, serial)
        return self.cache[name]

    def _upgrade_entry(self, seq: int, signer: str | None, serial: int | None) -> str | None:
        upgrade = self.upgrade
        assert upgrade is not None
        if upgrade.unsigned_until is None or upgrade.resealed_count < 0:
            return f"entry {seq} records the vault's upgrade, but its details are unreadable"
        if self.keys is not None:
            key = self._key(signer, int(serial)) if signer and serial is not None else None
            if key is None or not key.owner:
                return (
                    f"entry {seq} records the vault's upgrade but was not signed by the "
                    "vault's owner"
                )
            if self.first_signed != upgrade.unsigned_until + 1:
                return (
                    f"entry {seq} records the vault's upgrade with entries up to "
                    f"{upgrade.unsigned_until} unsigned, but the first signed entry is "
                    f"{self.first_signed}"
                )
        if self.digest.count != upgrade.resealed_count or (
            self.digest.count and self.digest.hexdigest() != upgrade.resealed_digest
        ):
            self.bad_seq = self.digest.first_seq or seq
            return (
                f"the entries resealed at the upgrade (from entry {self.bad_seq}) no longer "
                f"match the digest the owner signed in entry {seq}: one of them was changed"
            )
        return None

    def finish(self) -> tuple[int, str] | None:
        """A problem only the end of the walk shows: an upgrade entry read ahead but not
        met (the table changed under the walk), as (entry, problem)."""
        if self.upgrade is not None and self.expected_seq <= self.upgrade.seq:
            return self.upgrade.seq, f"entry {self.upgrade.seq} disappeared during the check"
        return None

    def bad(self, seq: int, problem: str) -> ChainReport:
        return ChainReport(
            ok=False,
            length=self.expected_seq - 1,
            head=self.prev,
            first_bad_seq=self.bad_seq or seq,
            problem=problem,
            signed=self.signed,
            unsigned=self.unsigned,
            checkpoint_seq=self.checkpoint_seq,
            rehashed=self.rehashed,
        )

    def report(self) -> ChainReport:
        return ChainReport(
            ok=True,
            length=self.expected_seq - 1,
            head=self.prev,
            signed=self.signed if self.keys is not None else None,
            unsigned=self.unsigned if self.keys is not None else None,
            first_signed=self.first_signed if self.keys is not None else None,
            checkpoint_seq=self.checkpoint_seq,
            rehashed=self.rehashed,
        )


def _on_behalf(action: str, details: str, signer: str) -> bool:
    if action not in ON_BEHALF:
        return False
    try:
        recorded_by = json.loads(details).get("recorded_by")
    except (ValueError, AttributeError):
        return False
    return isinstance(recorded_by, str) and recorded_by.casefold() == signer.casefold()


def _compare_with_recorded(
    report: ChainReport, found: str | None, seq: int, digest: str
) -> ChainReport:
    length = report.length
    common = {"length": length, "head": report.head, "recorded_seq": seq}
    common |= {"signed": report.signed, "unsigned": report.unsigned}
    common |= {"first_signed": report.first_signed, "checkpoint_seq": report.checkpoint_seq}
    common |= {"rehashed": report.rehashed}
    if length < seq:
        ends = f"ends at entry {length}" if length else "is empty"
        return ChainReport(
            ok=False,
            first_bad_seq=length + 1,
            problem=(
                f"the newest entries of the audit trail were removed: the head kept beside "
                f"the database (vault.json, audit-head.log) records entry {seq} "
                f"but the trail {ends} (or the database was restored from "
                "an older backup without its vault.json)"
            ),
            **common,
        )
    if found != digest:
        return ChainReport(
            ok=False,
            first_bad_seq=seq,
            problem=(
                f"entry {seq} of the audit trail is not the one kept beside the database "
                f"(vault.json, audit-head.log) records (its "
                f"hash differs): the trail was rewritten up to entry {seq} or earlier, or "
                "the database was replaced by another copy"
            ),
            **common,
        )
    return ChainReport(ok=True, **common)
