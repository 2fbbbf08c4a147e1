from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from critica.aggregate import title_figures
from critica.consensus import centroid_baseline, consensus
from critica.store.records import ReviewFacts

Aspects = list[tuple[str, float, str]]

ACTING_GOOD = ("performances", 0.8, "The cast is powerful throughout.")
ACTING_GOOD_2 = ("performances", 0.9, "A powerful performance from the lead.")
STORY_BAD = ("story", -0.6, "The plot is contrived and leans on coincidence.")
STORY_BAD_2 = ("story", -0.7, "A contrived story that never convinces.")
PACING_BAD = ("pacing", -0.5, "It is sluggish in the middle stretch.")
VISUALS_GOOD = ("visuals", 0.7, "The cinematography is gorgeous.")


def fact(i: int, score: float | None, aspects: Aspects | None = None) -> ReviewFacts:
    return ReviewFacts(
        i, 1, score, None, False, 1.0, f"Pub {i}", f"Critic {i}", None, None, None, aspects or []
    )


def run(facts: list[ReviewFacts], title: str = "Seven Seconds") -> dict:
    return consensus(facts, title_figures(facts, kind="film", title=title), title)


def title_with(scores: list[float], aspects: list[Aspects]) -> list[ReviewFacts]:
    padded = aspects + [[]] * (len(scores) - len(aspects))
    return [fact(i + 1, s, a) for i, (s, a) in enumerate(zip(scores, padded, strict=True))]


MIXED_ASPECTS = [
    [ACTING_GOOD, STORY_BAD],
    [ACTING_GOOD_2],
    [STORY_BAD_2],
    [ACTING_GOOD, STORY_BAD],
]


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        (
            [95, 90, 92, 88, 91, 97],
            "Powerful performances make Seven Seconds a must-see, despite its contrived story.",
        ),
        (
            [85, 80, 40, 70, 75, 30],
            "Powerful performances carry Seven Seconds, even if its contrived story holds it back.",
        ),
        (
            [80, 75, 30, 35, 65, 20],
            "Critics are split on Seven Seconds: some praise its powerful performances, "
            "others fault its contrived story.",
        ),
        (
            [30, 20, 35, 25, 80, 15],
            "Even powerful performances can't save Seven Seconds from its contrived story.",
        ),
    ],
    ids=["acclaim", "praise-with-reservation", "split", "pan-with-saving-grace"],
)
def test_templates_follow_the_lean(scores, expected):
    got = run(title_with(scores, MIXED_ASPECTS))
    assert got["text"] == expected and got["method"] == "aspects"
    assert {c["text"] for c in got["claims"]} == {"powerful performances", "a contrived story"}


def test_pan_without_grace_names_two_faults():
    aspects = [[STORY_BAD, PACING_BAD], [STORY_BAD_2, PACING_BAD], [STORY_BAD]]
    got = run(title_with([20, 25, 30, 10, 15, 35], aspects))
    assert got["text"] == "A contrived story and sluggish pacing sink Seven Seconds."


def test_praise_without_reservation():
    aspects = [[ACTING_GOOD, VISUALS_GOOD], [ACTING_GOOD_2, VISUALS_GOOD]]
    got = run(title_with([80, 85, 70, 75, 40], aspects))
    assert (
        got["text"] == "Powerful performances and gorgeous visuals make Seven Seconds worth seeing."
    )


def test_claims_cite_the_supporting_reviews():
    got = run(title_with([85, 80, 40, 70, 75, 30], MIXED_ASPECTS))
    by_aspect = {c["aspect"]: c for c in got["claims"]}
    assert sorted(by_aspect["performances"]["review_ids"]) == [1, 2, 4]
    assert sorted(by_aspect["story"]["review_ids"]) == [1, 3, 4]
    assert by_aspect["story"]["polarity"] == "negative"


@pytest.mark.parametrize(("n_reviews", "claimed"), [(4, True), (5, False), (8, False)])
def test_single_review_claims_only_for_tiny_titles(n_reviews, claimed):
    got = run(title_with([80] * n_reviews, [[VISUALS_GOOD]]))
    assert any(c["aspect"] == "visuals" for c in got["claims"]) is claimed


def test_contested_aspect_is_not_claimed():
    wooden = ("performances", -0.7, "Wooden acting.")
    aspects = [[ACTING_GOOD], [wooden], [ACTING_GOOD_2], [wooden], [ACTING_GOOD], [wooden]]
    got = run(title_with([80] * 6, aspects))
    assert (
        got["method"] == "overall"
        and got["text"] == "Critics overwhelmingly recommend Seven Seconds."
    )


@pytest.mark.parametrize(
    ("scores", "text", "polarity", "ids"),
    [
        ([80, 90, 30, 30, 20], "Critics are split on X.", "mixed", [1, 2, 3, 4, 5]),
        ([80, 90, 70, 85, 20], "Most critics recommend X.", "positive", [1, 2, 3, 4]),
        ([10, 20, 30, 85, 20], "Most critics do not recommend X.", "negative", [1, 2, 3, 5]),
        ([5, 20, 30, 25, 20, 10, 30, 40, 15, 10, 5], "Critics overwhelmingly pan X.", "negative",
         list(range(1, 12))),
        ([80, 30, None], "Early reviews of X are mixed.", "mixed", [1, 2]),
    ],
)  # fmt: skip
def test_overall_fallback_without_aspect_evidence(scores, text, polarity, ids):
    got = run(title_with(scores, []), title="X")
    assert got["text"] == text and got["method"] == "overall"
    assert got["claims"][0]["polarity"] == polarity and got["claims"][0]["review_ids"] == ids


@pytest.mark.parametrize(
    ("facts", "text"),
    [([], "No reviews of X yet."), ([fact(1, None)], "No scored reviews of X yet.")],
)
def test_nothing_to_say(facts, text):
    got = run(facts, title="X")
    assert got == {"text": text, "claims": [], "method": "overall"}


@pytest.mark.parametrize(
    ("aspect", "sign", "sentences", "phrase"),
    [
        ("humor", -1, ["The humor is not funny, just silly.", "Silly jokes."], "silly humor"),
        ("humor", 1, ["Never funny, but often witty.", "Witty humor."], "witty humor"),
        ("humor", 1, ["It isn’t funny, it is witty.", "Witty humor."], "witty humor"),
        ("ending", -1, ["Such a rushed ending.", "The ending is rushed."], "a rushed ending"),
        ("ending", -1, ["The ending feels uneven.", "An uneven ending."], "an uneven ending"),
        ("ending", -1, ["The ending fails.", "The finale fails."], "an uneven ending"),  # default
        (
            "story",
            1,
            ["The story is good and gripping.", "A good, gripping plot."],
            "a gripping story",
        ),
        # "gorgeous" is far from the cue word; "sharp" sits right beside it.
        (
            "writing",
            1,
            ["A gorgeous, sweeping, ambitious film whose script is sharp."],
            "sharp writing",
        ),
    ],
)
def test_adjective_and_article(aspect, sign, sentences, phrase):
    facts = [
        fact(i + 1, 50 + 40 * sign, [(aspect, 0.7 * sign, s)]) for i, s in enumerate(sentences)
    ]
    facts += [fact(10 + i, 50 + 40 * sign) for i in range(4 - len(facts))]  # a tiny title
    claims = run(facts)["claims"]
    assert [c["text"] for c in claims] == [phrase]


def test_review_torn_on_an_aspect_backs_neither_side():
    torn = [("story", 0.8, "A gripping story at first."), STORY_BAD_2]
    got = run(title_with([80] * 6, [torn, torn, [STORY_BAD]]))
    assert got["method"] == "overall"  # one net fault is too few for a 6-review title


def test_adjective_users_cited_first():
    aspects = [[("performances", 0.9, "Solid cast.")], [ACTING_GOOD], [ACTING_GOOD_2]]
    claim = run(title_with([80] * 5, aspects))["claims"][0]
    assert claim["text"] == "powerful performances" and claim["review_ids"][-1] == 1


@pytest.mark.parametrize(
    ("sentences", "best"),
    [
        ([(1, "Superb acting."), (2, "Superb acting and a superb script."),
          (3, "The script is superb."), (4, "Dull and boring.")], 2),
        ([(7, "Only one sentence.")], 7),
    ],
)  # fmt: skip
def test_centroid_baseline(sentences, best):
    got = centroid_baseline(sentences)
    assert got["review_ids"] == [best] and got["method"] == "centroid"
    assert got["text"] == dict(sentences)[best]


def test_centroid_baseline_empty():
    assert centroid_baseline([]) == {"text": "", "review_ids": [], "method": "centroid"}


EVIDENCE = [
    *(ACTING_GOOD, ACTING_GOOD_2, STORY_BAD, STORY_BAD_2, PACING_BAD, VISUALS_GOOD),
    ("humor", 0.6, "Genuinely funny."),
    ("ending", -0.8, "The ending is abrupt."),
]
review = st.tuples(
    st.one_of(st.none(), st.floats(0, 100, allow_nan=False)),
    st.lists(st.sampled_from(EVIDENCE), max_size=3),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(review, max_size=12))
def test_claims_cite_existing_reviews(reviews):
    facts = [fact(i + 10, score, aspects) for i, (score, aspects) in enumerate(reviews)]
    got = run(facts)
    ids = {f.review_id for f in facts}
    assert got["text"]
    for claim in got["claims"]:
        assert claim["review_ids"] and set(claim["review_ids"]) <= ids
        least = 1 if len(facts) < 5 else 2
        assert claim["aspect"] == "overall" or claim["support"] >= least
