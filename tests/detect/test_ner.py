"""The character-CRF NER detector, the corpus readers and the NER evaluation's scoring."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from scripts.evaluate_ner import Report, drop_nested, score_sentence
from scripts.ner_corpora import (
    COMPATIBLE,
    DATA_DIR,
    HOLDOUT,
    _spans_from_tags,
    bio_tags,
    read,
    split,
)
from service.detect.base import TextDetector
from service.detect.ner import (
    MAX_CHUNK,
    CrfNerDetector,
    char_features,
    decode,
    iter_chunks,
    load_model,
    model_path,
    normalize_chars,
    short_name,
)
from service.errors import ExitCode, MissingModelError

needs_data = pytest.mark.skipif(not DATA_DIR.is_dir(), reason="shared NER corpora not present")


@pytest.fixture(scope="module")
def det() -> CrfNerDetector:
    return CrfNerDetector()


def spans_of(det: CrfNerDetector, text: str) -> list[tuple[str, str, str]]:
    return [(text[s.start : s.end], s.category, s.rule) for s in det.detect(text)]


# ------------------------------------------------------------------ corpus readers


@needs_data
@pytest.mark.parametrize("corpus", ["cluener", "resume", "msra"])
def test_split_holds_out_exactly_the_last_1000(corpus: str) -> None:
    sentences = read(corpus)
    train, validation = split(sentences)
    assert len(validation) == HOLDOUT == 1000
    assert len(train) + len(validation) == len(sentences)
    assert validation == sentences[-1000:]
    assert train == sentences[:-1000]
    for text, ents in sentences[:200]:
        for s, e, _cat, _label in ents:
            assert 0 <= s < e <= len(text)


def test_split_refuses_a_corpus_smaller_than_the_holdout() -> None:
    with pytest.raises(ValueError):
        split([("甲", [])] * 10)


def test_bmes_and_bio_tags_decode_to_entities() -> None:
    tags = ["B-NAME", "E-NAME", "O", "S-ORG", "B-ORG", "M-ORG", "E-ORG", "B-LOC", "I-LOC", "O"]
    ents = _spans_from_tags(tags, {"NAME": "person", "ORG": "organization", "LOC": "place"})
    assert ents == [
        (0, 2, "person", "NAME"),
        (3, 4, "organization", "ORG"),
        (4, 7, "organization", "ORG"),
        (7, 9, "place", "LOC"),
    ]
    assert bio_tags("张三在北京", [(0, 2, "person", "NAME"), (3, 5, "O", "TITLE")]) == [
        "B-person", "I-person", "O", "O", "O",
    ]  # fmt: skip


# ------------------------------------------------------------------ features, chunking


def test_features_are_one_list_per_char_and_ignore_width_variants() -> None:
    text = "张 三\u3000就职于ＡＢＣ公司１２３"
    feats = char_features(text)
    assert len(feats) == len(text)
    chars, types = normalize_chars(text)
    assert len(chars) == len(text)
    assert types[1] == "S" and types[3] == "S"
    assert chars[text.index("Ａ")] == "a" and chars[text.index("１")] == "0"
    assert char_features("ABC公司") == char_features("ＡＢＣ公司")


def test_short_names_of_divisions() -> None:
    assert short_name("河北省") == "河北"
    assert short_name("延边朝鲜族自治州") == "延边"
    assert short_name("巴音郭楞蒙古自治州") == "巴音郭楞"
    assert short_name("内蒙古自治区") == "内蒙古"
    assert short_name("朝阳区") == "朝阳"


def test_chunks_cover_the_text_and_respect_the_limit() -> None:
    text = "甲" * 150 + "。" + "乙" * 330 + "\n" + "丙，" * 120 + "\n\n丁"
    chunks = list(iter_chunks(text))
    assert all(0 < e - s <= MAX_CHUNK for s, e in chunks)
    assert "".join(text[s:e] for s, e in chunks) == text.replace("\n", "")
    assert chunks[0] == (0, 151)  # cut after the full stop


def test_decode_bio() -> None:
    tags = ["B-person", "I-person", "O", "I-place", "I-place", "B-organization", "B-organization"]
    assert decode(tags) == [(0, 2, "person"), (3, 5, "place"), (5, 6, "organization"),
                            (6, 7, "organization")]  # fmt: skip


# ------------------------------------------------------------------ the detector


def test_detector_protocol(det: CrfNerDetector) -> None:
    assert isinstance(det, TextDetector)
    assert det.name == "ner"
    assert det.categories == {"person", "organization", "place", "address"}


def test_missing_model_is_exit_code_7(tmp_path: Path) -> None:
    with pytest.raises(MissingModelError) as info:
        load_model(str(tmp_path / "nope.crfsuite"))
    assert info.value.exit_code == ExitCode.missing_model == 7


def test_finds_person_organisation_and_place(det: CrfNerDetector) -> None:
    text = "申请人王建国，1978年出生，现就职于赣州市第三人民医院心血管内科。"
    found = spans_of(det, text)
    cats = {cat for _s, cat, _r in found}
    assert ("王建国", "person", "ner.crf") in found
    assert any("赣州市第三人民医院" in s and c == "organization" for s, c, _r in found), found
    assert cats <= {"person", "organization", "place", "address"}

    text = "李秀梅同志毕业于华中科技大学同济医学院，曾在四川省绵阳市游仙区工作。"
    found = spans_of(det, text)
    assert ("李秀梅", "person", "ner.crf") in found
    assert any("华中科技大学" in s and c == "organization" for s, c, _r in found), found
    assert any("绵阳" in s and c in ("place", "address") for s, c, _r in found), found


def test_offsets_are_valid_across_lines_spaces_and_fullwidth(det: CrfNerDetector) -> None:
    text = "姓名：赵 志 刚\n工作单位：宁波市鄞州区第二医院\n\n通讯地址：浙江省宁波市海曙区中山西路１２号"
    spans = det.detect(text)
    assert spans
    for s in spans:
        assert 0 <= s.start < s.end <= len(text)
        assert "\n" not in text[s.start : s.end]
        assert not text[s.start].isspace() and not text[s.end - 1].isspace()
        assert 0.0 <= s.score <= 1.0
        assert s.rule in ("ner.crf", "ner.crf_province")
        assert text[s.start : s.end] not in s.explanation
    masked = [text[s.start : s.end] for s in spans]
    assert any("宁波" in m for m in masked)


def test_filters(det: CrfNerDetector) -> None:
    judge = det._judge
    assert judge("王", "person") is None  # one character
    assert judge("的话", "person") is None  # two characters, no surname
    assert judge("张建华", "person") == "ner.crf"
    assert judge("欧阳明", "person") == "ner.crf"
    assert judge("阿卜杜拉·买买提", "person") == "ner.crf"  # middle dot
    assert judge("张建华张建华", "person") is None  # too long for a name
    assert judge("2019", "organization") is None
    assert judge("（，）", "address") is None
    assert judge("中国", "place") is None
    assert judge("美国", "place") is None
    assert judge("全国", "place") is None
    assert judge("广东省", "place") == "ner.crf_province"
    assert judge("内蒙古", "address") == "ner.crf_province"
    assert judge("绵阳市", "place") == "ner.crf"
    assert judge("本院", "organization") is None


def test_no_findings_in_empty_or_blank_text(det: CrfNerDetector) -> None:
    assert det.detect("") == []
    assert det.detect(" \n\n  \n") == []


def test_speed_and_load_time() -> None:
    load_model.cache_clear()
    t0 = time.perf_counter()
    det = CrfNerDetector()
    load = time.perf_counter() - t0
    text = ("申请人王建国，现任赣州市第三人民医院心血管内科主任医师，从事临床工作二十年。\n" * 300)[:10000]
    det.detect(text[:100])
    t0 = time.perf_counter()
    det.detect(text)
    took = time.perf_counter() - t0
    assert load < 5.0
    assert took < 1.0  # measured ~0.1 s on the dev machine; loose for shared CI runners
    assert model_path().is_file()


# ------------------------------------------------------------------ evaluation scoring


def test_score_sentence_recall_and_precision() -> None:
    text = "张三在北京协和医院工作，住朝阳区。"
    gold = [
        (0, 2, "person", "name"),
        (3, 9, "organization", "company"),
        (13, 16, "address", "address"),
        (9, 11, "O", "position"),  # not one of ours: never counted as gold
    ]
    preds = [
        (0, 2, "person"),  # exact: found, correct
        (3, 8, "organization"),  # 5/6 chars = 83 % < 90 %: not found, but correct
        (3, 5, "place"),  # nested in an organisation: dropped before precision
        (13, 15, "place"),  # 2/3 = 67 % < 90 %: address not found; 100 % inside: correct
        (9, 11, "person"),  # on a position: wrong
    ]
    rep = Report()
    score_sentence(text, gold, preds, COMPATIBLE["cluener"], rep, keep_examples=True)
    r = rep.rows
    assert (r["person"].gold, r["person"].found, r["person"].predicted, r["person"].correct) == (1, 1, 2, 1)
    assert (r["organization"].gold, r["organization"].found) == (1, 0)
    assert (r["organization"].predicted, r["organization"].correct) == (1, 1)
    assert (r["address"].gold, r["address"].found) == (1, 0)
    assert (r["place"].predicted, r["place"].correct) == (1, 1)
    assert r["person"].recall == 1.0 and r["person"].precision == 0.5
    assert ("张三在北京协和医院工作，住朝阳区。", "工作", "person") in rep.false_positives
    assert len(rep.misses) == 2


def test_found_by_several_spans_and_partial_precision() -> None:
    gold = [(0, 10, "organization", "ORG")]
    preds = [(0, 5, "organization"), (5, 10, "organization"), (8, 20, "organization")]
    rep = Report()
    score_sentence("x" * 20, gold, preds, COMPATIBLE["resume"], rep)
    org = rep.rows["organization"]
    assert org.found == 1  # covered by two spans together
    assert org.predicted == 3 and org.correct == 2  # 2/12 chars inside: wrong


def test_drop_nested_keeps_same_category_and_partial_overlaps() -> None:
    preds = [(0, 10, "organization"), (2, 4, "place"), (2, 4, "organization"), (8, 12, "place")]
    assert drop_nested(preds) == [(0, 10, "organization"), (2, 4, "organization"), (8, 12, "place")]


def test_chunks_split_at_table_cells_and_medical_terms_are_no_names() -> None:
    from service.detect.ner import _inside_medical_word, iter_chunks

    text = "2095504\t马凡综合征\t中心静脉置管术\n\n张伟"
    assert [text[a:b] for a, b in iter_chunks(text)] == ["2095504", "马凡综合征", "中心静脉置管术", "张伟"]
    assert _inside_medical_word("格林-巴利综合征\t胸腔", 0, 2)
    assert _inside_medical_word("诊断\n布鲁氏菌病\n", 3, 6)
    assert not _inside_medical_word("张伟病情稳定", 0, 2)
