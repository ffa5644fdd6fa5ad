"""Link the ads of a batch into clusters: ads that share a contact, or whose text is a
near-duplicate of another's (one template reposted with small edits).

How, and why it stays near-linear in the number of ads (no all-pairs comparison):
- **Contacts.** Each contact's identity (``Contact.key``; a number is one contact whichever
  app it is written for) is indexed once; every ad that names it is joined to the first ad
  that did. The same ``@name`` also links across apps (``@hr88`` on Telegram and a bare
  ``@hr88``): recruiters reuse one name, and a bare ``@name`` names no app. Domains of big
  platforms and link shorteners (``COMMON_DOMAINS``) link nothing: thousands of unrelated ads
  point at them.
- **Near-duplicates.** Each ad becomes the set of its word bigrams (in Chinese, Thai, Lao,
  Khmer and Burmese, written without spaces, each character counts as a word), summarised by
  a MinHash signature of ``PERMUTATIONS`` values; locality-sensitive hashing splits the
  signature into ``BANDS`` bands, and ads that agree on a whole band share a bucket. Within a
  bucket each ad is compared with the bucket's first ad and with its neighbour, and joined when
  the signatures estimate a Jaccard similarity of at least ``NEAR_DUPLICATE_JACCARD``.
  Why 0.45: a 25-word template with its pay, place and contact changed keeps about 0.47 of its
  bigrams, a longer one more; among the 200 distinct sample ads (``data/samples``), which
  share genre, wording and emoji, no pair exceeds 0.31 (99.9th percentile 0.25). With 42
  bands of 3 rows, a pair at 0.45 becomes a candidate with probability
  1 - (1 - 0.45^3)^42 ≈ 0.98; the estimate's standard error is √(J(1-J)/126) ≈ 0.044.
  Ads of fewer than ``MIN_TOKENS`` words take no part: "Hiring now, DM me" is not a template.
- Joins go through a union-find; a cluster is a connected set of two or more ads.

MinHash is written here with numpy (a few dozen lines) rather than taken from a library: it
needs no dependency beyond numpy, it is vectorised across the whole batch, and it is
deterministic (CRC-32 of each word, fixed seeds), so a batch links the same way every run.
"""

from __future__ import annotations

import re
import statistics
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scamscreen.contacts import Contact
from scamscreen.scoring import Assessment

BANDS = 42
ROWS_PER_BAND = 3
PERMUTATIONS = BANDS * ROWS_PER_BAND
NEAR_DUPLICATE_JACCARD = 0.45
SHINGLE_WORDS = 2
MIN_TOKENS = 8
# Platforms and shorteners that many unrelated ads point at.
COMMON_DOMAINS = frozenset({
    "facebook.com", "fb.com", "m.facebook.com", "instagram.com", "tiktok.com", "youtube.com",
    "youtu.be", "twitter.com", "x.com", "linkedin.com", "google.com", "forms.gle",
    "docs.google.com", "bit.ly", "tinyurl.com", "goo.gl", "shorturl.at", "cutt.ly",
    "jobstreet.com", "indeed.com", "glassdoor.com", "104.com.tw", "1111.com.tw", "jobsdb.com",
    "jobthai.com", "gmail.com", "yahoo.com", "hotmail.com", "outlook.com",
})
_HANDLE_KINDS = frozenset({"telegram", "line", "wechat", "zalo", "viber", "handle"})
# Scripts written without spaces between words (Thai, Lao, Khmer, Burmese, Chinese, Japanese):
# each character is a token, so their shingles are character bigrams.
_TOKEN = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]|[^\W_]+")
_MERSENNE = np.uint64((1 << 61) - 1)
_MASK32 = np.uint64(0xFFFFFFFF)
_SEED = 20261125


@dataclass(frozen=True)
class Cluster:
    """Ads linked together, what links them, and how risky its members scored."""

    id: str
    ids: tuple[str, ...]
    contacts: tuple[str, ...]  # contact keys (or "@name"s) that two or more members share
    near_duplicates: int  # near-duplicate joins made inside the cluster
    max_score: int | None
    median_score: float | None

    @property
    def size(self) -> int:
        return len(self.ids)

    @property
    def links(self) -> tuple[str, ...]:
        """What links the cluster, in words: "contact" and/or "near-duplicate"."""
        return tuple(name for name, present in (("contact", bool(self.contacts)),
                                                ("near-duplicate", self.near_duplicates > 0))
                     if present)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "size": self.size, "links": list(self.links),
                "contacts": list(self.contacts), "near_duplicates": self.near_duplicates,
                "max_score": self.max_score, "median_score": self.median_score,
                "ids": list(self.ids)}


@dataclass(frozen=True)
class Linking:
    """The clusters of a batch, largest first, and each clustered ad's cluster id."""

    clusters: tuple[Cluster, ...]
    cluster_of: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"clusters": [cluster.to_dict() for cluster in self.clusters]}


class _UnionFind:
    __slots__ = ("parent",)

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        parent = self.parent
        root = item
        while parent[root] != root:
            root = parent[root]
        while parent[item] != root:  # path compression
            parent[item], item = root, parent[item]
        return root

    def union(self, first: int, second: int) -> bool:
        a, b = self.find(first), self.find(second)
        if a == b:
            return False
        if a > b:
            a, b = b, a
        self.parent[b] = a
        return True


def contact_link_keys(contact: Contact) -> tuple[str, ...]:
    """The keys under which a contact links ads (none for a platform's domain)."""
    if contact.kind == "domain" and contact.value in COMMON_DOMAINS:
        return ()
    if contact.kind in _HANDLE_KINDS and not contact.is_number:
        return (contact.key, "@" + contact.value)
    return (contact.key,)


def _shingle_hashes(text: str, vocabulary: dict[str, int]) -> np.ndarray | None:
    """The distinct 32-bit hashes of the text's word 3-shingles, or None if it is too short."""
    tokens = _TOKEN.findall(text.lower())
    if len(tokens) < MIN_TOKENS:
        return None
    codes = []
    for token in tokens:
        code = vocabulary.get(token)
        if code is None:
            code = vocabulary[token] = zlib.crc32(token.encode("utf-8", "surrogatepass"))
        codes.append(code)
    words = np.asarray(codes, dtype=np.uint64)
    count = len(words) - SHINGLE_WORDS + 1
    mixed = np.zeros(count, dtype=np.uint64)
    for offset in range(SHINGLE_WORDS):
        # Multiply-and-add per position, so "a b" and "b a" differ; wraps mod 2^64.
        mixed = mixed * np.uint64(0x9E3779B97F4A7C15) + words[offset:offset + count]
    return np.unique((mixed ^ (mixed >> np.uint64(29))) & _MASK32)


def minhash_signatures(texts: Sequence[str], chunk: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """MinHash signatures (one row of ``PERMUTATIONS`` uint32 per text) and a mask of the texts
    long enough to have one."""
    rng = np.random.default_rng(_SEED)
    # h(x) = (a·x + b) mod (2^61 - 1), with x < 2^32 and a < 2^31, so a·x + b never overflows.
    a = rng.integers(1, 1 << 31, PERMUTATIONS, dtype=np.uint64)
    b = rng.integers(0, 1 << 32, PERMUTATIONS, dtype=np.uint64)
    signatures = np.full((len(texts), PERMUTATIONS), 0xFFFFFFFF, dtype=np.uint32)
    usable = np.zeros(len(texts), dtype=bool)
    vocabulary: dict[str, int] = {}
    for first in range(0, len(texts), chunk):
        rows, arrays = [], []
        for index in range(first, min(first + chunk, len(texts))):
            hashes = _shingle_hashes(texts[index], vocabulary)
            if hashes is not None:
                rows.append(index)
                arrays.append(hashes)
        if not rows:
            continue
        values = np.concatenate(arrays)
        starts = np.cumsum([0] + [len(h) for h in arrays[:-1]])
        block = np.empty((len(rows), PERMUTATIONS), dtype=np.uint32)
        for permutation in range(PERMUTATIONS):
            hashed = ((a[permutation] * values + b[permutation]) % _MERSENNE) & _MASK32
            block[:, permutation] = np.minimum.reduceat(hashed, starts)
        signatures[rows] = block
        usable[rows] = True
    return signatures, usable


def near_duplicate_pairs(signatures: np.ndarray, usable: np.ndarray) -> Iterable[tuple[int, int]]:
    """Pairs of rows whose signatures agree on a band and estimate Jaccard ≥ the threshold.
    Each band costs one sort: O(n log n), never all pairs."""
    rows = np.flatnonzero(usable)
    if len(rows) < 2:
        return
    wide = signatures[rows].astype(np.uint64)
    for band in range(BANDS):
        columns = wide[:, band * ROWS_PER_BAND:(band + 1) * ROWS_PER_BAND]
        keys = np.zeros(len(rows), dtype=np.uint64)
        for column in range(ROWS_PER_BAND):
            keys = keys * np.uint64(0x100000001B3) ^ columns[:, column]
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        same_as_previous = np.concatenate(([False], sorted_keys[1:] == sorted_keys[:-1]))
        if not same_as_previous.any():
            continue
        group_start = np.maximum.accumulate(np.where(same_as_previous, 0, np.arange(len(order))))
        members = order[same_as_previous]
        firsts = order[group_start[same_as_previous]]
        previous = order[np.flatnonzero(same_as_previous) - 1]
        for others in (firsts, previous):
            similarity = (signatures[rows[members]] == signatures[rows[others]]).mean(axis=1)
            for member, other in zip(rows[members[similarity >= NEAR_DUPLICATE_JACCARD]],
                                     rows[others[similarity >= NEAR_DUPLICATE_JACCARD]],
                                     strict=True):
                yield int(other), int(member)


def link(
    ids: Sequence[str],
    texts: Sequence[str],
    contacts: Sequence[Iterable[Contact]],
    scores: Sequence[int | None],
    *,
    near_duplicates: bool = True,
) -> Linking:
    """Cluster ads by shared contacts and near-duplicate text. All sequences align with ``ids``."""
    count = len(ids)
    union = _UnionFind(count)
    first_with: dict[str, int] = {}
    for index, ad_contacts in enumerate(contacts):
        for contact in ad_contacts:
            for key in contact_link_keys(contact):
                union.union(first_with.setdefault(key, index), index)
    duplicate_edges: list[tuple[int, int]] = []
    if near_duplicates and count > 1:
        signatures, usable = minhash_signatures(texts)
        for first, second in near_duplicate_pairs(signatures, usable):
            if union.union(first, second):
                duplicate_edges.append((first, second))
    members: dict[int, list[int]] = {}
    for index in range(count):
        members.setdefault(union.find(index), []).append(index)
    groups = [group for group in members.values() if len(group) > 1]
    shared: dict[int, set[str]] = {}
    seen_in: dict[str, dict[int, int]] = {}
    for index, ad_contacts in enumerate(contacts):
        root = union.find(index)
        if len(members[root]) < 2:
            continue
        for key in {key for contact in ad_contacts for key in contact_link_keys(contact)}:
            per_root = seen_in.setdefault(key, {})
            per_root[root] = per_root.get(root, 0) + 1
            if per_root[root] == 2:
                shared.setdefault(root, set()).add(key)
    for keys in shared.values():  # "@hr88" says nothing more when "telegram:hr88" is listed
        keys.difference_update({key for key in keys if key.startswith("@")
                                and any(k.endswith(":" + key[1:]) for k in keys)})
    duplicates_per_root: dict[int, int] = {}
    for first, _ in duplicate_edges:
        root = union.find(first)
        duplicates_per_root[root] = duplicates_per_root.get(root, 0) + 1

    def top_score(group: list[int]) -> int:
        return max((s for s in (scores[i] for i in group) if s is not None), default=-1)

    groups.sort(key=lambda group: (-len(group), -top_score(group), group[0]))
    clusters = []
    cluster_of: dict[str, str] = {}
    width = len(str(len(groups)))
    for number, group in enumerate(groups, 1):
        cluster_id = f"C{number:0{width}d}"
        root = union.find(group[0])
        known = [s for s in (scores[i] for i in group) if s is not None]
        clusters.append(Cluster(
            cluster_id, tuple(ids[i] for i in group), tuple(sorted(shared.get(root, ()))),
            duplicates_per_root.get(root, 0), max(known) if known else None,
            statistics.median(known) if known else None))
        for index in group:
            cluster_of[ids[index]] = cluster_id
    return Linking(tuple(clusters), cluster_of)


def link_results(results: Sequence[tuple[str, Assessment | dict[str, Any] | BaseException]], *,
                 near_duplicates: bool = True) -> Linking:
    """Cluster a batch's results (Assessments, or their ``to_dict(include_text=True)``); rows
    that could not be screened take no part."""
    ids, texts, contacts, scores = [], [], [], []
    for row_id, result in results:
        if isinstance(result, Assessment):
            ids.append(row_id)
            texts.append(result.text)
            contacts.append(result.contacts)
            scores.append(result.score)
        elif isinstance(result, dict):
            ids.append(row_id)
            texts.append(result["text"])
            contacts.append(tuple(
                Contact(c["kind"], c["value"], c["text"], c["start"], c["end"],
                        c.get("country", ""), c.get("region", "")) for c in result["contacts"]))
            scores.append(result["score"])
    return link(ids, texts, contacts, scores, near_duplicates=near_duplicates)
