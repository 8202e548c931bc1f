"""The promise rules, pure: judging, the digest for a fixed day, reliability and ranking."""

from __future__ import annotations

from datetime import date, datetime, timezone

from masthead.domain.leaderboard import Row
from masthead.domain.promises import (Delivery, Promise, Record, State, Topic, Windows, digest, evaluate,
                                      evaluate_all, free_topics, records, with_reliability)
from masthead.domain.stories import Story

D = date.fromisoformat


def promise(ident: str = "p", by: tuple[str, ...] = ("ana",), made: str = "2026-11-01", due: str = "2026-11-20",
            **kw: object) -> Promise:
    return Promise(ident, kw.pop("topic", ident), by, D(made), D(due), f"contributors/promises/{ident}.yml",
                   **kw)  # type: ignore[arg-type]


def story(source: str, promise_id: str, authors: tuple[str, ...] = ("ana",), draft: bool = False) -> Story:
    return Story(source=source, slug="s", lang="en", title="T", authors=authors,
                 date=datetime(2026, 11, 1, tzinfo=timezone.utc), section="city", digest="x",
                 promise=promise_id, draft=draft)


def test_delivered_on_the_due_day_is_on_time() -> None:
    d = evaluate(promise(), [story("content/a.md", "p")], {"content/a.md": D("2026-11-20")}, D("2026-11-22"))
    assert (d.state, d.days, d.delivered, d.status) == (State.ON_TIME, 0, D("2026-11-20"), "delivered")


def test_delivered_after_the_due_day_is_late_by_the_days_past() -> None:
    d = evaluate(promise(), [story("content/a.md", "p")], {"content/a.md": D("2026-11-23")}, D("2026-11-30"))
    assert (d.state, d.days, d.describe()) == (State.LATE, 3, "delivered late by 3 days")


def test_a_story_landing_after_today_has_not_delivered_yet() -> None:
    d = evaluate(promise(), [story("content/a.md", "p")], {"content/a.md": D("2026-11-25")}, D("2026-11-22"))
    assert (d.state, d.days) == (State.OVERDUE, 2)


def test_drafts_and_other_peoples_stories_do_not_deliver() -> None:
    stories = [story("content/a.md", "p", draft=True), story("content/b.md", "p", authors=("ben",))]
    landed = {"content/a.md": D("2026-11-02"), "content/b.md": D("2026-11-02")}
    assert evaluate(promise(), stories, landed, D("2026-11-10")).state is State.DUE


def test_unknown_history_is_said_not_guessed() -> None:
    d = evaluate(promise(), [story("content/a.md", "p")], None, D("2026-11-22"))
    assert d.state is State.UNKNOWN and d.delivered is None and d.status == "delivered"
    # With no story naming it, a missing history changes nothing: it is plainly not delivered.
    assert evaluate(promise(), [], None, D("2026-11-22")).state is State.OVERDUE


def test_extension_asked_in_time_moves_the_judged_date() -> None:
    p = promise().extend(D("2026-11-30"), D("2026-11-18"))
    assert (p.original_due, p.due, p.judged_due) == (D("2026-11-20"), D("2026-11-30"), D("2026-11-30"))
    d = evaluate(p, [story("content/a.md", "p")], {"content/a.md": D("2026-11-28")}, D("2026-12-01"))
    assert d.state is State.ON_TIME


def test_extension_asked_after_the_date_moves_reminders_only() -> None:
    p = promise().extend(D("2026-11-30"), D("2026-11-25"))
    assert (p.due, p.judged_due) == (D("2026-11-30"), D("2026-11-20"))
    assert evaluate(p, [], {}, D("2026-11-26")).state is State.DUE
    d = evaluate(p, [story("content/a.md", "p")], {"content/a.md": D("2026-11-28")}, D("2026-12-01"))
    assert (d.state, d.days) == (State.LATE, 8)


def test_a_chain_of_extensions_counts_up_to_the_first_late_one() -> None:
    p = promise().extend(D("2026-11-25"), D("2026-11-19")).extend(D("2026-12-05"), D("2026-11-27"))
    assert p.judged_due == D("2026-11-25")


def test_released_in_time_is_neutral_and_late_is_missed() -> None:
    early = evaluate(promise().close("released", D("2026-11-10")), [], {}, D("2026-11-22"))
    late = evaluate(promise().close("released", D("2026-11-21")), [], {}, D("2026-11-22"))
    assert (early.state, early.missed, late.state, late.missed) == (State.RELEASED, False, State.RELEASED, True)


def test_the_digest_for_a_fixed_day() -> None:
    ps = [promise("late", due="2026-11-15"), promise("soon", due="2026-11-26"),
          promise("edge", due="2026-11-29"), promise("quiet", made="2026-10-20", due="2026-12-20"),
          promise("busy", made="2026-10-20", due="2026-12-20"),
          promise("nudged", made="2026-10-20", due="2026-12-20").extend(D("2026-12-24"), D("2026-11-15")),
          promise("done", due="2026-11-20"), promise("gone", due="2026-11-20").close("released", D("2026-11-05"))]
    stories = [story("content/done.md", "done")]
    rows = evaluate_all(ps, stories, {"content/done.md": D("2026-11-18")}, D("2026-11-22"))
    dig = digest(rows, D("2026-11-22"), Windows(due_soon_days=7, stale_days=14), {"busy": D("2026-11-20")})
    assert [d.promise.id for d in dig.overdue] == ["late"]
    assert [d.promise.id for d in dig.due_soon] == ["soon", "edge"]
    assert [(s.delivery.promise.id, s.quiet_days) for s in dig.stale] == [("quiet", 33)]
    assert dig.handles() == ["ana"] and not dig.empty


def test_free_topics_are_never_promised_or_given_back() -> None:
    topics = [Topic(x, x.title(), f"contributors/topics/{x}.yml") for x in ("a", "b", "c", "d")]
    rows = evaluate_all([promise("pa", topic="a"), promise("pb", topic="b").close("released", D("2026-11-02")),
                         promise("pc", topic="c")], [story("content/c.md", "pc")],
                        {"content/c.md": D("2026-11-03")}, D("2026-11-05"))
    assert [t.id for t in free_topics(topics, rows)] == ["b", "d"]


def _row(rank: int, handle: str, pieces: int, words: int = 100) -> Row:
    return Row(rank, handle, pieces, words, ("en",))


def test_reliability_breaks_ties_after_pieces_only() -> None:
    rows = [_row(1, "ana", 3), _row(2, "ben", 2, 900), _row(3, "cleo", 2, 100)]
    recs = {"ana": Record(missed=5), "cleo": Record(kept=2), "ben": Record(kept=1)}
    ranked = with_reliability(rows, recs)
    assert [(r.rank, r.handle) for r in ranked] == [(1, "ana"), (2, "cleo"), (3, "ben")]
    assert (ranked[1].kept, ranked[1].on_time_rate, ranked[0].on_time_rate) == (2, 1.0, 0.0)


def _deliveries(n_released: int, n_missed: int) -> list[Delivery]:
    ps = [promise(f"r{i}", by=("ben",)).close("released", D("2026-11-05")) for i in range(n_released)]
    ps += [promise(f"m{i}", by=("ben",)) for i in range(n_missed)]
    return evaluate_all(ps, [], {}, D("2026-11-22"))


def test_promising_and_releasing_never_raises_rank() -> None:
    rows = [_row(1, "ana", 2, 500), _row(2, "ben", 2, 400)]
    baseline = with_reliability(rows, records([], D("2026-11-22")))
    for released in (1, 10, 100):
        ranked = with_reliability(rows, records(_deliveries(released, 0), D("2026-11-22")))
        assert [r.handle for r in ranked] == [r.handle for r in baseline]
        assert ranked[1].on_time_rate is None  # released in time: not judged at all
    # Nor does it put anyone without a published piece on the board.
    assert [r.handle for r in with_reliability([_row(1, "ana", 1)], records(_deliveries(50, 0), D("2026-11-22")))] \
        == ["ana"]


def test_missing_promises_can_only_lower_rank() -> None:
    rows = [_row(1, "ben", 2, 500), _row(2, "ana", 2, 400)]
    ranked = with_reliability(rows, records(_deliveries(0, 1), D("2026-11-22")))
    assert [r.handle for r in ranked] == ["ana", "ben"]


def test_records_respect_the_window() -> None:
    rows = evaluate_all([promise("old", made="2026-01-01", due="2026-01-10"), promise("new")],
                        [story("content/o.md", "old"), story("content/n.md", "new")],
                        {"content/o.md": D("2026-01-05"), "content/n.md": D("2026-11-25")}, D("2026-11-30"))
    assert records(rows, D("2026-11-30"))["ana"] == Record(kept=1, late=1)
    assert records(rows, D("2026-11-30"), start=D("2026-11-01"))["ana"] == Record(late=1)
