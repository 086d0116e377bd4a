"""Reading level: fixed English and Japanese texts, the reader's target, and textstat offline."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from storybot.quality.reading_level import (
    japanese_features,
    measure_grade,
    target_grade,
    tateishi_score,
    within_one_grade,
)

ROOT = Path(__file__).resolve().parents[2]

# --- English ---------------------------------------------------------------------------------

EASY_ENGLISH = (
    "Sam has a red hat. He likes his hat. One day the wind came. The wind took the hat. "
    "Sam ran and ran. He got his hat back. Sam was glad. He put the hat on and went home."
)
MIDDLE_ENGLISH = (
    "Maya had always wondered what lived beneath the old bridge at the edge of town. "
    "Every afternoon, after finishing her homework, she would walk along the river and "
    "listen carefully to the strange sounds echoing from the shadows."
)
ADULT_ENGLISH = (
    "The committee's deliberations regarding the proposed infrastructure legislation "
    "continued throughout the afternoon, with representatives emphasizing the considerable "
    "economic implications of postponing investment in transportation, telecommunications "
    "and renewable energy."
)


def test_english_grades_follow_the_difficulty_of_the_text() -> None:
    easy, middle, adult = (
        measure_grade(t, "en") for t in (EASY_ENGLISH, MIDDLE_ENGLISH, ADULT_ENGLISH)
    )
    assert easy == 1.0  # Flesch-Kincaid goes below zero here; held at grade 1
    assert middle is not None
    assert 7.0 <= middle <= 10.0
    assert adult == 12.0


def test_too_little_text_has_no_grade() -> None:
    assert measure_grade("The end.", "en") is None
    assert measure_grade("", "en") is None
    assert measure_grade("おしまい。", "ja") is None


# --- Japanese --------------------------------------------------------------------------------

# Written for these tests: a kana-only picture book with spaces between phrases, a
# first-grade text with grade-1 kanji, a third-grade text, a fifth-grade text, and
# newspaper prose.
PICTURE_BOOK = (
    "くまさんは もりに すんで いました。あさに なると、くまさんは かわへ いきます。"
    "かわには おさかなが たくさん いました。「おはよう」と くまさんは いいました。"
    "おさかなは ぴょんと はねました。くまさんは にこにこ わらいました。"
)
FIRST_GRADE = (
    "山の上に、小さな子ねこがいました。子ねこは、まい日 花を見にいきます。ある日、雨が"
    "ふってきました。子ねこは 大きな木の下で休みました。「雨がやんだら、また 花を見に"
    "いこう」と 子ねこは いいました。"
)
THIRD_GRADE = (
    "ゆうたは、夏休みに おじいさんの家へ行きました。家の前には 大きな池があり、池の中"
    "には 赤い魚が何ひきも泳いでいました。ゆうたは毎朝、池の様子を見に行きました。ある朝、"
    "魚が一ぴきいないことに気がつきました。"
)
FIFTH_GRADE = (
    "駅前の商店街では、毎年夏になると祭りが開かれる。地域の人々が協力して準備を進め、"
    "子どもたちも太鼓の練習に参加している。今年は天候にめぐまれ、例年より多くの観光客が"
    "訪れた。"
)
NEWSPAPER = (
    "政府は十五日、経済財政諮問会議を首相官邸で開き、来年度予算編成の基本方針を決定した。"
    "歳出削減と成長戦略の両立を掲げ、社会保障関係費の伸びを抑制する一方、脱炭素化や人工"
    "知能関連の研究開発投資を重点的に拡充する。与党内には財政規律の緩和を求める意見も"
    "根強く、調整は難航が予想される。"
)


def test_a_kana_picture_book_is_first_grade_and_newspaper_prose_is_twelfth() -> None:
    assert measure_grade(PICTURE_BOOK, "ja") == 1.0
    assert measure_grade(NEWSPAPER, "ja") == 12.0


def test_japanese_grades_rise_with_kanji_and_sentence_length() -> None:
    grades = [measure_grade(t, "ja") for t in (FIRST_GRADE, THIRD_GRADE, FIFTH_GRADE)]
    assert grades == sorted(grades)
    first, third, fifth = grades
    assert first is not None
    assert 1.0 <= first <= 3.0
    assert third is not None
    assert 2.0 <= third <= 4.0
    assert fifth is not None
    assert 4.5 <= fifth <= 7.5


def test_the_tateishi_figures_of_a_text() -> None:
    features = japanese_features("今日は雨です。カメラを持って、山へ行きます。")
    assert features is not None
    # Runs: 今日 は 雨 です / カメラ を 持 って 山 へ 行 きます
    assert features.kanji_run == pytest.approx((2 + 1 + 1 + 1 + 1) / 5)
    assert features.hiragana_run == pytest.approx((1 + 2 + 1 + 2 + 1 + 3) / 6)
    assert features.katakana_run == 3.0
    assert features.alphabet_run == 0.0
    assert features.commas_per_sentence == 0.5
    assert features.sentence_length == pytest.approx(19 / 2)
    assert features.kanji_share == pytest.approx(6 / 19)
    # Tateishi et al. 1988, RS' with these figures.
    expected = -0.12 * 9.5 + 7.4 * 10 / 6 - 23.18 * 1.2 - 5.4 * 3 - 4.67 * 0.5 + 115.79
    assert tateishi_score(features) == pytest.approx(expected)


# --- Targets ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "level", "grade"),
    [
        (6, "developing", 1.0),
        (8, "developing", 3.0),
        (8, "early", 2.0),
        (8, "confident", 4.0),
        (8, "advanced", 5.0),
        (3, "early", 1.0),  # read aloud to; aimed at first grade
        (17, "advanced", 12.0),
        (None, "early", 1.0),
        (None, "developing", 2.0),
        (None, "confident", 4.0),
        (None, "advanced", 6.0),
    ],
)
def test_target_grade_from_age_and_reading_level(age: int | None, level: str, grade: float) -> None:
    assert target_grade(age, level) == grade


def test_within_one_grade() -> None:
    assert within_one_grade(3.0, 2.0)
    assert within_one_grade(1.2, 2.0)
    assert not within_one_grade(3.1, 2.0)
    assert not within_one_grade(None, 2.0)


# --- Offline ---------------------------------------------------------------------------------

OFFLINE_SCRIPT = textwrap.dedent(
    """
    import socket

    def refuse(*args, **kwargs):
        raise OSError("network is off in this test")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse

    from storybot.quality.reading_level import measure_grade

    print(measure_grade({text!r}, "en"))
    """
)


def test_english_grades_work_with_the_network_off() -> None:
    """A fresh interpreter (no cache from this one) with every connection refused."""
    script = OFFLINE_SCRIPT.format(text=MIDDLE_ENGLISH)
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert float(done.stdout.strip()) == measure_grade(MIDDLE_ENGLISH, "en")
