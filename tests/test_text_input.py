"""Free-text answers are cleaned of control and format characters — but an emoji sequence
keeps the joiners and tags it is made of, so «👨‍💻» is not split into «👨💻»."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bot.text_input import ZWJ, clean_text
from tests.kit.drivers import Person
from tests.stories import answer_from_the_name_to_the_review, give_consent

EMOJI_SEQUENCES = (
    "👨\u200d💻",  # technologist: man, ZWJ, laptop
    "👩\u200d👩\u200d👧",  # family
    "🏳️\u200d🌈",  # rainbow flag: with the emoji presentation selector before the joiner
    "❤️\u200d🔥",
    "🧑🏽\u200d🚀",  # with a skin tone
    "👩🏻\u200d🦰",  # a hair component
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # Scotland: tag sequence
    "1️⃣",
)
STRIPPED = ("\x00", "\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e",
            "\u200f", "\u061c", "\u200b", "\ufeff", "\ue000", "\x7f")


def cleaned(text: str) -> str:
    check = clean_text(text, 10_000, need_letters=False)
    return check.value or ""


def test_emoji_sequences_stay_whole() -> None:
    for emoji in EMOJI_SEQUENCES:
        assert cleaned(f"Иван {emoji} разработчик") == f"Иван {emoji} разработчик", emoji


def test_bidi_overrides_nul_and_stray_joiners_are_still_stripped() -> None:
    assert cleaned("Ива\u202eн\x00 ООО\u2066 «Ромашка»\u2069") == "Иван ООО «Ромашка»"
    assert cleaned("a\u200db") == "ab"  # a joiner between letters joins no emoji
    assert cleaned("👍\u200d") == "👍" and cleaned("\u200d👍") == "👍"
    assert cleaned("\U000e0067\U000e0062 тег без флага") == "тег без флага"


@hsettings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from(EMOJI_SEQUENCES), st.text())
def test_any_text_around_an_emoji_keeps_it_and_loses_every_control(
    before: str, emoji: str, after: str
) -> None:
    result = cleaned(before + emoji + after)
    assert emoji in result
    for ch in STRIPPED:
        assert ch not in result
    for index, ch in enumerate(result):
        category = unicodedata.category(ch)
        if category[0] != "C":
            continue
        # Only a joiner between two pictographs, or the tags of a flag, may remain.
        assert ch == ZWJ or 0xE0020 <= ord(ch) <= 0xE007F, (hex(ord(ch)), category)
        if ch == ZWJ:
            assert unicodedata.category(result[index + 1]) == "So"


async def test_an_owner_answers_with_emoji_and_sees_them_whole(owner: Person) -> None:
    await give_consent(owner, segments=("👨\u200d💻 IT-отдел", "дилеры"))
    review = await answer_from_the_name_to_the_review(
        owner, "Анна 👩\u200d👩\u200d👧\u202e", "ООО «Ромашка»", "+7 916 123-45-67", position=None
    )
    assert "👨\u200d💻 IT-отдел" in review.content
    assert "Анна 👩\u200d👩\u200d👧" in review.content and "\u202e" not in review.content
