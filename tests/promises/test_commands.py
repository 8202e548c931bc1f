"""`masthead topic` and `masthead promise`: files written, refusals explained, help that teaches."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from masthead.cli import main
from masthead.sources.magazine import load_magazine

from .conftest import Mag


def test_topic_and_promise_files(mag: Mag, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = mag.run(capsys, "topic", "add", "--title", "Who rides the night buses?", "--section", "city",
                           "--by", "cleo", "--notes", "Ask the drivers", "--today", "2026-11-01")
    assert code == 0 and out.startswith("topic: who-rides-the-night-buses")
    topic = yaml.safe_load((mag.root / "contributors/topics/who-rides-the-night-buses.yml").read_text())
    assert topic == {"title": "Who rides the night buses?", "section": "city", "notes": "Ask the drivers",
                     "proposed_by": "cleo", "proposed": date(2026, 11, 1)}
    code, out, _ = mag.run(capsys, "promise", "add", "--by", "ana", "--by", "ben", "--topic",
                           "who-rides-the-night-buses", "--due", "2w", "--today", "2026-11-01")
    assert code == 0 and "by 2026-11-15 (14 days)" in out
    text = (mag.root / "contributors/promises/who-rides-the-night-buses-ana.yml").read_text()
    assert text == ("topic: who-rides-the-night-buses\nby:\n- ana\n- ben\nmade: 2026-11-01\ndue: 2026-11-15\n"
                    "status: open\n")
    _, problems = load_magazine(mag.root, use_cache=False)
    assert problems == []


def test_a_new_topic_with_the_promise(mag: Mag, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = mag.run(capsys, "promise", "add", "--by", "dan", "--topic", "kimchi", "--title", "The kimchi co-op",
                           "--due", "2026-12-01", "--id", "kimchi", "--today", "2026-11-01")
    assert code == 0 and "topic: kimchi" in out and (mag.root / "contributors/promises/kimchi.yml").is_file()
    assert yaml.safe_load((mag.root / "contributors/topics/kimchi.yml").read_text())["proposed_by"] == "dan"


@pytest.mark.parametrize(("argv", "message"), [
    (["promise", "add", "--by", "anaa", "--topic", "t", "--due", "7d"],
     "unknown contributor 'anaa': register them in contributors/anaa.yml first"),
    (["promise", "add", "--by", "ana", "--topic", "nope", "--due", "7d"],
     "no topic 'nope'; create it with --title \"...\" or masthead topic add"),
    (["promise", "add", "--by", "ben", "--topic", "t", "--due", "7d"],
     "topic 't' is already promised (contributors/promises/t-ana.yml); to write it together, add your handle "
     "to that file's 'by'"),
    (["promise", "add", "--by", "ben", "--topic", "u", "--due", "2026-10-01"],
     "the due date 2026-10-01 is before today (2026-11-01)"),
    (["promise", "extend", "t-ana", "--due", "2026-11-05"],
     "an extension moves the date later: the promise is due 2026-11-10, not after 2026-11-05"),
    (["promise", "release", "gone"], "no promise 'gone' in contributors/promises/ (masthead promise list --all shows "
                                     "them)"),
    (["topic", "add", "t", "--title", "Again"], "topic 't' exists already (contributors/topics/t.yml)"),
    (["topic", "add", "x", "--title", "X", "--section", "ctiy"], "unknown section 'ctiy'; sections: city, work"),
    (["topic", "add", "Bad Id", "--title", "X"], "'Bad Id' cannot be a topic id; try 'bad-id'"),
])
def test_refusals_say_what_to_do(mag: Mag, capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    mag.topic("t", "T")
    mag.topic("u", "U")
    mag.promise("t-ana", "t", "ana", "2026-11-01", "2026-11-10")
    code, _, err = mag.run(capsys, *argv, "--today", "2026-11-01")
    assert (code, err.strip()) == (2, f"masthead: {message}")


def test_extend_release_and_their_records(mag: Mag, capsys: pytest.CaptureFixture[str]) -> None:
    mag.topic("t", "T")
    mag.promise("t-ana", "t", "ana", "2026-11-01", "2026-11-10")
    code, out, _ = mag.run(capsys, "promise", "extend", "t-ana", "--due", "2026-11-20", "--today", "2026-11-12")
    assert out.strip() == ("extended: t-ana is now due 2026-11-20 (first promised for 2026-11-10); asked after "
                           "2026-11-10, so on-time is still judged by 2026-11-10")
    code, out, _ = mag.run(capsys, "promise", "release", "t-ana", "--reason", "ill", "--today", "2026-11-13")
    data = yaml.safe_load((mag.root / "contributors/promises/t-ana.yml").read_text())
    assert data["extensions"] == [{"asked": date(2026, 11, 12),
                                   "was": date(2026, 11, 10)}]
    assert (data["status"], str(data["closed"]), data["reason"]) == ("released", "2026-11-13", "ill")
    code, _, err = mag.run(capsys, "promise", "release", "t-ana", "--today", "2026-11-14")
    assert code == 2 and "already released" in err


def test_a_delivered_promise_cannot_be_extended(mag: Mag, capsys: pytest.CaptureFixture[str]) -> None:
    mag.topic("t", "T")
    mag.promise("t-ana", "t", "ana", "2026-11-01", "2026-11-10")
    mag.story("city/t.md", "T", "ana", "2026-11-05 08:00", promise="t-ana")
    code, _, err = mag.run(capsys, "promise", "extend", "t-ana", "--due", "2026-11-20", "--today", "2026-11-06")
    assert code == 2 and "delivered by content/city/t.md" in err


def test_drop_needs_a_reason(mag: Mag, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--root", str(mag.root), "promise", "drop", "t-ana"])
    assert exc.value.code == 2 and "--reason" in capsys.readouterr().err


def test_list_filters(mag: Mag, capsys: pytest.CaptureFixture[str]) -> None:
    for ident, who, due in (("a", "ana", "2026-11-03"), ("b", "ben", "2026-11-06"), ("c", "ana", "2026-11-20"),
                            ("d", "dan", "2026-10-30")):
        mag.topic(ident, ident.upper())
        mag.promise(ident, ident, who, "2026-10-20", due)

    def ids(*argv: str) -> list[str]:
        _, out, _ = mag.run(capsys, "promise", "list", *argv, "--today", "2026-11-01")
        return [line.split()[0] for line in out.splitlines()[1:]]

    assert ids() == ["d", "a", "b", "c"]
    assert ids("--overdue") == ["d"]
    assert ids("--due-within", "7d") == ["a", "b"]
    assert ids("--due-within", "1w", "--by", "ana") == ["a"]
    assert ids("--overdue", "--due-within", "3d") == ["d", "a"]
    _, out, _ = mag.run(capsys, "promise", "list", "--by", "cleo", "--today", "2026-11-01")
    assert out.strip() == "no promises match"


@pytest.mark.parametrize("argv", [["topic", "--help"], ["promise", "--help"], ["promise", "add", "--help"],
                                  ["remind", "--help"], ["stats", "funnel", "--help"]])
def test_help_teaches_with_examples(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(argv)
    out = capsys.readouterr().out
    examples = out.split("Examples:", 1)[1]
    assert f"masthead {argv[0]} " in examples
