"""Discovery rules: what counts as an input, what is skipped, which profile applies."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest

from service.batch.walk import Found, ProfileFinder, collisions, discover, estimate_pages
from service.errors import BadArgumentsError
from service.profile import Profile
from tests.batch.conftest import Tree, build_tree
from tests.conftest import new_pdf, save_pdf


def _rels(found: list[Found]) -> list[str]:
    return [f.rel.as_posix() for f in found]


def test_inputs_by_extension_or_content_hidden_and_text_skipped(tmp_path: Path) -> None:
    t = build_tree(tmp_path, image=False)
    save_pdf(new_pdf(), t.inp / "李四" / "scan_without_extension")  # a PDF by its magic bytes
    (t.inp / ".git").mkdir()
    save_pdf(new_pdf(), t.inp / ".git" / "x.pdf")
    rels = _rels(discover(t.inp, t.out))
    assert rels == sorted(rels, key=lambda r: r.split("/"))
    assert sorted(rels) == sorted([
        "张三/申报表.pdf", "张三/证书/证书.pdf", "李四/scan_without_extension", "李四/论文.pdf",
        "损坏.pdf",
    ])


def test_nested_output_folder_and_symlink_loops_are_not_walked(tmp_path: Path) -> None:
    t = build_tree(tmp_path, image=False)
    out = t.inp / "out"  # the operator put OUT_DIR inside IN_DIR
    out.mkdir()
    save_pdf(new_pdf(), out / "old.blind.pdf")
    os.symlink(t.inp, t.inp / "张三" / "loop")  # a link back to the top
    os.symlink(t.inp / "李四", t.inp / "李四-link")  # a second way into one folder
    rels = _rels(discover(t.inp, out))
    assert not any(r.startswith("out/") for r in rels)
    assert not any("loop" in r for r in rels)
    assert sum(r.endswith("论文.pdf") for r in rels) == 1
    assert len(rels) == 4


def test_nested_output_folder_skipped_before_it_exists(tmp_path: Path) -> None:
    t = build_tree(tmp_path, image=False)
    rels = _rels(discover(t.inp, t.inp / "blind"))
    assert len(rels) == 4


def test_profile_nearest_ancestor_with_a_file_wins(tmp_path: Path) -> None:
    t = build_tree(tmp_path, image=False)
    (t.profiles / "证书.json").write_text('{"person": ["王证书"]}', encoding="utf-8")
    finder = ProfileFinder(t.profiles, "in")
    name, prof = finder.find(PurePosixPath("张三/证书/证书.pdf"))
    assert name == "证书.json" and isinstance(prof, Profile) and prof.person == ("王证书",)
    name, prof = finder.find(PurePosixPath("张三/申报表.pdf"))
    assert name == "张三.json" and isinstance(prof, Profile) and prof.other == ("XK2024丙",)
    assert finder.find(PurePosixPath("王五/扫描.png")) == ("", Profile())
    name, prof = finder.find(PurePosixPath("李四/论文.pdf"))
    assert name == "李四.json" and isinstance(prof, BadArgumentsError)
    assert "李四.json is not valid JSON" in str(prof)


def test_profile_of_the_input_folder_itself_is_the_last_candidate(tmp_path: Path) -> None:
    t: Tree = build_tree(tmp_path, image=False)
    (t.profiles / "in.json").write_text('{"person": ["赵六"]}', encoding="utf-8")
    finder = ProfileFinder(t.profiles, "in")
    assert finder.candidates(PurePosixPath("a/b/x.pdf")) == ["b", "a", "in"]
    assert finder.find(PurePosixPath("损坏.pdf"))[0] == "in.json"
    assert finder.find(PurePosixPath("张三/申报表.pdf"))[0] == "张三.json"


def test_no_profiles_dir_means_empty_profile() -> None:
    assert ProfileFinder(None, "in").find(PurePosixPath("张三/x.pdf")) == ("", Profile())


def test_same_stem_in_one_folder_collides(tmp_path: Path) -> None:
    for name in ("x.pdf", "x.png", "y.pdf"):
        (tmp_path / name).write_bytes(b"%PDF-1.7\n")
    clash = collisions(discover(tmp_path, tmp_path / "out"))
    assert clash == {PurePosixPath("x.png"): PurePosixPath("x.pdf")}


@pytest.mark.parametrize("pages", [1, 3])
def test_page_estimate(tmp_path: Path, pages: int) -> None:
    path = save_pdf(new_pdf(pages=pages), tmp_path / "d.pdf")
    assert estimate_pages(path) == pages
    (tmp_path / "bad.pdf").write_bytes(b"garbage")
    assert estimate_pages(tmp_path / "bad.pdf") == 1
