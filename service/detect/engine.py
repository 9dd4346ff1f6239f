"""Run the text detectors, apply the policy, and merge what they found.

The engine is what both the pipeline and ``detect-text`` call, so a finding on a page and a
finding in plain text can never differ.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.detect.base import TextDetector
from service.profile import Profile
from service.rules.policy import Policy, load_policy
from service.types import Span


@dataclass
class DetectionEngine:
    detectors: list[TextDetector]
    policy: Policy

    def detect(self, text: str) -> list[Span]:
        found: list[Span] = []
        for det in self.detectors:
            found.extend(det.detect(text))
        return self._decide(text, found)

    def filter(self, text: str, spans: list[Span]) -> list[Span]:
        """The policy applied to spans from any detector: categories, score, allow-list."""
        allowed = {_squash(t) for t in self.policy.allow_list}
        return [
            s
            for s in spans
            if s.category in self.policy.categories
            and s.score >= self.policy.min_score
            and _squash(text[s.start : s.end]) not in allowed
        ]

    def _decide(self, text: str, spans: list[Span]) -> list[Span]:
        return merge_spans(self.filter(text, spans))


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


def _squash(text: str) -> str:
    return "".join(text.split())


def build_engine(profile: Profile | None = None, policy: Policy | str = "default") -> DetectionEngine:
    from service.detect.patterns import PatternDetector
    from service.detect.profile import ProfileDetector

    pol = load_policy(policy) if isinstance(policy, str) else policy
    detectors: list[TextDetector] = [PatternDetector()]
    if profile is not None and not profile.is_empty:
        detectors.append(ProfileDetector(profile))
    return DetectionEngine(detectors, pol)
