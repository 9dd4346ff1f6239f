"""Mark detectors: faces/photos, seals, handwritten signatures, QR codes and barcodes.

Design
------
Every detector implements :class:`service.detect.base.MarkDetector`: ``detect(page) ->
list[Region]`` on a :class:`MarkPage` — the page as one BGR raster (a scan as it is; a PDF page
rendered at ``dpi``) plus the printed text already read on it (boxes in the raster's pixels).
Regions come back in raster pixels with ``source="mark"``, a ``rule``
(``"<detector>.<what>"``), a ``score`` and an ``explanation`` that never quotes text; the
pipeline converts them to page units (see :mod:`service.pipeline.marks`).

* ``faces``      — faces (photo mode: the whole photo rectangle around a face; eyes mode: a band
                   over both eyes); see the module for the detector comparison.
* ``seals``      — red / blue / purple round and oval seals, also over text, faint, cut off at
                   the page edge, on tinted paper; red headings and table lines stay.
* ``signatures`` — handwritten strokes near signature fields and handwriting among print.
* ``codes``      — QR codes and barcodes; decoded payloads are handed back so the pipeline can
                   check them for identities (the manifest keeps only a hash).

The pipeline runs them in this order on one :class:`MarkPage`; the seal detector's boxes are
handed on in ``MarkPage.seals`` (stamp ink is no pen stroke), and a mark found (nearly) wholly
inside a mark that holds it — a seal's ring read as a signature, an ID photo's red ground read
as a square stamp — is dropped (:func:`service.pipeline.marks.detect_marks`).

Detectors never see the policy beyond what they are built with (photo mode) and never edit
anything. Each runs in well under 0.2 s on an A4 page at 200 dpi (benchmark: scripts/benchmark.py).
"""
