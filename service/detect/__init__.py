"""Detect: find what identifies someone in a page's reading text.

Every detector is a :class:`~service.detect.base.TextDetector` (``detect(text) -> [Span]``);
``engine.build_engine`` runs them all, applies the policy and merges what they found. The
generic detectors need no profile and are built once per process (before the page pool forks):

==============  =========================  ==================================================
detector        module                     finds (rule prefix)
==============  =========================  ==================================================
patterns        ``patterns`` (YAML rules)  ID numbers, phones, postcodes, emails, URLs,
                                           certificate/case/staff numbers, partly hidden
                                           IDs/phones/cards (``pattern.*``)
ID context      ``id_context``             the holder's name beside an ID number, ticket
                                           serials echoing the code line (``idctx.*``)
places          ``places`` + ``gazetteer``  every division of GB/T 2260 at city, county and
                                           town level, short forms (锡盟, 巴州, 科右前旗),
                                           former names, romanised forms (``place.*``;
                                           ``place.province`` only under ``mask_provinces``)
addresses       ``addresses``              a place + road/number/building/village grammar,
                                           labelled addresses, English address lines
organisations   ``organizations`` (+_en)   unit-name grammar: prefix + body + suffix, nested
                                           units, English names (``org.*``)
positions       ``positions``              society/committee + role (学术任职), Chinese and
                                           English (``position.*``)
persons         ``persons`` (+_latin)      names by context label or role, minority names,
                                           names wrapped over a line, author lines, pinyin
                                           names in English text, joined in capitals
                                           (ZHANGQIWEI) (``person.*``)
NER backstop    ``ner``                    a character CRF (models/ner_crf) for what the
                                           grammars miss (``ner.crf``), with precision
                                           filters for application materials
profile         ``profile`` (+_cjk, ...)   the applicant's own identities in every variant
forms           ``forms`` + ``labels``     the value a field label names: right of it, after
                                           its colon, or under it in a header row
                                           (``form.*``; page geometry)
==============  =========================  ==================================================

Two steps of the engine's decide step judge every detector's spans: field labels (姓名,
联系电话, 经办人签名 … ``labels``) are cut out of every span, so a label is never masked; and
organisation/place/address spans of the statistical and grammar detectors that read as generic
unit phrases (各盟市人力资源和社会保障局, 评审委员会) are dropped, word fragments widened to
whole words (``prose``).

Rules and word lists are data under ``redaction_rules/`` (places/, grammar/, lexicons/,
patterns/, layout/); a malformed file raises ``InvalidRulesError`` (exit 6) at start-up.

Context detectors see other neighbours once something is masked (``地址：■\\n乌兰``), so the
engine rescans the residual text (``residual``) until nothing new turns up, and the decide step
does the same under the final masks (``service.redact.propagate.finalize``); verification
rescans exactly that residual, so what is released is what the rescan accepts.
"""
