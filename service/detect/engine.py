"""Run the text detectors, apply the policy, and merge what they found.

The engine is what both the pipeline and ``detect-text`` call, so a finding on a page and a
finding in plain text can never differ. After the first pass it rescans what would stay
readable (``service.detect.residual``) and adds what that turns up, up to ``RESCAN_PASSES``
times: detectors that read context (a label before a name) see new neighbours once a mask is
in place, and verification rescans the blind copy the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from service.detect import labels, prose
from service.detect.base import TextDetector
from service.detect.gazetteer import province_prefix
from service.detect.residual import readable_findings, residual_text
from service.profile import Profile
from service.rules.policy import Policy, load_policy
from service.types import MASK_CHAR, Span

#: rescans of the residual text after the first pass (one is nearly always enough)
RESCAN_PASSES = 2


@dataclass
class DetectionEngine:
    detectors: list[TextDetector]
    policy: Policy

    def detect(self, text: str) -> list[Span]:
        spans = self._once(text)
        for _ in range(RESCAN_PASSES):
            if not spans:
                break
            residual, back = residual_text(text, spans)
            extra = readable_findings(residual, back, self._near_masks(residual))
            new = [s for s in extra if not any(k.covers(s) for k in spans)]
            if not new:
                break
            spans = merge_spans(spans + new)
        return spans

    def restricted(self, names: frozenset[str]) -> DetectionEngine:
        """The same policy with only the detectors named (``pattern``, ``profile`` …)."""
        return DetectionEngine([d for d in self.detectors if d.name in names], self.policy)

    def near_masks(self, residual: str) -> list[Span]:
        """One pass over the lines around the masks of a residual text (``MASK_CHAR``)."""
        return self._near_masks(residual)

    def _near_masks(self, residual: str) -> list[Span]:
        """Findings in the lines around a mask (a line with a mask and its neighbours: context
        reaches no further), not in the whole residual again."""
        found: list[Span] = []
        for a, b in _windows_around(residual, MASK_CHAR):
            found.extend(replace(s, start=s.start + a, end=s.end + a) for s in self._once(residual[a:b]))
        return found

    def _once(self, text: str) -> list[Span]:
        found: list[Span] = []
        for det in self.detectors:
            found.extend(det.detect(text))
        return self._decide(text, found)

    def filter(self, text: str, spans: list[Span]) -> list[Span]:
        """The policy applied to spans from any detector: categories, score, provinces,
        allow-list (a span inside an occurrence of an allowed term is dropped); field labels
        (姓名, 联系电话 …: ``service.detect.labels``) are cut out of every span; generic unit
        phrases and word fragments of the statistical and grammar detectors are dropped or
        widened to whole words (``service.detect.prose``)."""
        return labels.protect(text, prose.refine(text, self._policy_filter(text, spans)))

    def _policy_filter(self, text: str, spans: list[Span]) -> list[Span]:
        pol = self.policy
        kept = [
            s
            for s in spans
            if s.category in pol.categories
            and s.score >= pol.min_score
            and (pol.mask_provinces or not s.rule.endswith("province"))
        ]
        if not pol.mask_provinces:
            kept = _without_province_heads(text, kept)
        if not kept or not pol.allow_list:
            return kept
        allowed = _allowed_intervals(text, self._allow_re())
        return [s for s in kept if not any(_allowed(s, a, b) for a, b in allowed)]

    def _allow_re(self) -> re.Pattern[str] | None:
        return _allow_pattern(self.policy.allow_list)

    def _decide(self, text: str, spans: list[Span]) -> list[Span]:
        return merge_spans(self.filter(text, spans))


def _without_province_heads(text: str, spans: list[Span]) -> list[Span]:
    """Place and address spans with the province they start with cut off (福建省三明市 →
    三明市): a province alone stays readable unless the policy masks provinces. The applicant's
    own profile entries are masked as given."""
    out = []
    for s in spans:
        k = 0
        if s.category in ("place", "address") and not s.rule.startswith("profile."):
            k = province_prefix(text[s.start : s.end])
        if not k:
            out.append(s)
        elif s.end - s.start - k >= 2:
            out.append(replace(s, start=s.start + k))
    return out


def _windows_around(text: str, mark: str) -> list[tuple[int, int]]:
    """``[start, end)`` of merged windows of three lines centred on each line holding ``mark``."""
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    ends = [*starts[1:], len(text) + 1]
    marked = [k for k, (a, b) in enumerate(zip(starts, ends, strict=True)) if mark in text[a:b]]
    out: list[tuple[int, int]] = []
    for k in marked:
        a, b = starts[max(0, k - 1)], min(len(text), ends[min(len(starts) - 1, k + 1)])
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def merge_spans(spans: list[Span]) -> list[Span]:
    """Drop duplicates and spans covered by a kept span of the same category.

    Overlapping spans of different categories are all kept: each explains part of a mask.
    """
    ordered = sorted(spans, key=lambda s: (s.start, -(s.end - s.start), -s.score))
    kept: list[Span] = []
    for s in ordered:
        if any(k.category == s.category and k.covers(s) for k in kept):
            continue
        kept.append(s)
    return kept


def _allowed(s: Span, a: int, b: int) -> bool:
    """A span inside an allowed term, or one whose head (its end: the unit suffix) lies in it
    (查询请登录国家卫生健康委员会 is the allowed body with words before it)."""
    return (a <= s.start and s.end <= b) or (s.start < a < s.end <= b)


@lru_cache(maxsize=16)
def _allow_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex for all allowed terms, tolerant of whitespace and line breaks between chars."""
    alts = [r"\s*".join(re.escape(c) for c in "".join(t.split())) for t in terms if t.strip()]
    if not alts:
        return None
    return re.compile("|".join(sorted(alts, key=len, reverse=True)), re.IGNORECASE)


def _allowed_intervals(text: str, pattern: re.Pattern[str] | None) -> list[tuple[int, int]]:
    return [] if pattern is None else [m.span() for m in pattern.finditer(text)]


def build_engine(profile: Profile | None = None, policy: Policy | str = "default") -> DetectionEngine:
    pol = load_policy(policy) if isinstance(policy, str) else policy
    detectors: list[TextDetector] = [*_generic_detectors()]
    if profile is not None and not profile.is_empty:
        from service.detect.profile import ProfileDetector

        detectors.append(ProfileDetector(profile))
    return DetectionEngine(detectors, pol)


@lru_cache(maxsize=1)
def _generic_detectors() -> tuple[TextDetector, ...]:
    """The detectors that need no profile, built once per process (gazetteer, grammars)."""
    from service.detect.addresses import AddressDetector
    from service.detect.id_context import IdContextDetector
    from service.detect.ner import CrfNerDetector
    from service.detect.organizations import OrganizationDetector
    from service.detect.patterns import PatternDetector
    from service.detect.persons import PersonDetector
    from service.detect.places import PlaceDetector
    from service.detect.positions import PositionDetector

    prose.warm()
    patterns = PatternDetector()
    return (
        patterns,
        IdContextDetector(patterns),
        PlaceDetector(),
        AddressDetector(),
        OrganizationDetector(),
        PositionDetector(),
        PersonDetector(),
        CrfNerDetector(),
    )
