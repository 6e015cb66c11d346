"""The browser benchmark's own logic (benchmarks/bench_browser.py, script_times.py, floor_app.py), without a
browser: when a page counts as quiet, what a measurement is, the websocket's end-of-run message, the server's
script-run log, the floor app's filters, and the rows, targets and breakdown of a miss."""

from __future__ import annotations

import pytest

from benchmarks import bench_browser as bb
from benchmarks import script_times
from benchmarks.common import exit_status, format_table


def state(**kw):
    base = {"now": 5000.0, "action": 1000.0, "last": 3000.0, "busy": False, "count": 10, "what": "stPlotlyChart"}
    return {**base, **kw}


# ------------------------------------------------------------------------------------------- quiet detection
def test_quiet_once_the_run_finished_nothing_runs_and_nothing_changed_for_the_window():
    assert bb.is_settled(state(), finished=True)
    assert bb.is_settled(state(now=3600.0), finished=True)  # exactly the quiet window after the last change


def test_not_quiet_while_the_page_still_changes():
    assert not bb.is_settled(state(now=3599.0), finished=True)
    assert not bb.is_settled(state(now=3100.0, last=3000.0), finished=True, quiet_ms=600)
    assert bb.is_settled(state(now=3100.0, last=3000.0), finished=True, quiet_ms=100)


def test_not_quiet_while_streamlit_shows_its_running_indicator():
    assert not bb.is_settled(state(busy=True), finished=True)


def test_not_quiet_before_the_server_says_the_run_ended():
    # a slow server: the DOM can be still for a while before the first message of the rerun arrives
    assert not bb.is_settled(state(), finished=False)


def test_not_quiet_before_the_action_or_before_any_change():
    assert not bb.is_settled(state(action=None), finished=True)  # armed, key not pressed yet
    assert not bb.is_settled(state(last=None), finished=True)  # pressed, page not changed yet
    assert not bb.is_settled({}, finished=True)  # a navigation is replacing the document


def test_settle_time_is_last_change_minus_action_without_the_quiet_window():
    assert bb.settle_ms(state(action=1000.0, last=3000.0, now=9000.0)) == 2000.0
    assert bb.settle_ms(state(action=0.0, last=1234.5)) == 1234.5  # a load: action at the navigation's start


def test_settle_time_refuses_an_action_that_changed_nothing():
    with pytest.raises(bb.BenchError, match="did not change"):
        bb.settle_ms(state(last=None))
    with pytest.raises(bb.BenchError, match="no action"):
        bb.settle_ms(state(action=None))


# ------------------------------------------------------------------------------------------- parts
def test_union_of_spans_counts_overlaps_once():
    assert bb.union_ms([]) == 0
    assert bb.union_ms([(0, 100)]) == 100
    assert bb.union_ms([(0, 100), (50, 150), (200, 250)]) == 200  # 0-150 and 200-250
    assert bb.union_ms([[300, 400], [0, 1000]]) == 1000  # one span inside another
    assert bb.union_ms([(0, 10), (10, 20)]) == 20


def test_paired_ratios_divide_each_run_by_its_own_floor():
    assert bb.paired_ratios([200, 900, 300], [100, 300, 150]) == [2.0, 3.0, 2.0]
    with pytest.raises(ValueError):
        bb.paired_ratios([1, 2], [1])
    with pytest.raises(ValueError):
        bb.paired_ratios([], [])


def test_rotation_gives_each_run_its_own_choice_in_a_fixed_order():
    items = ["a", "b", "c"]
    assert [bb.rotation(items, k)[0] for k in range(5)] == ["a", "b", "c", "a", "b"]
    assert bb.rotation(items, 1) == ["b", "c", "a"]


def _msg_bytes(**fields) -> bytes:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = ForwardMsg(**fields)
    return msg.SerializeToString()


def test_finished_status_reads_the_end_of_a_script_run_from_a_websocket_frame():
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    done = _msg_bytes(script_finished=ForwardMsg.FINISHED_SUCCESSFULLY)
    assert done  # status 0 is still on the wire: the oneof field is present
    assert bb.finished_status(done) == ForwardMsg.FINISHED_SUCCESSFULLY
    assert bb.ends_run(bb.finished_status(done))
    fragment = _msg_bytes(script_finished=ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
    assert bb.ends_run(bb.finished_status(fragment))
    # st.rerun(): the first run stops early, the action's work is not done yet
    early = _msg_bytes(script_finished=ForwardMsg.FINISHED_EARLY_FOR_RERUN)
    assert bb.finished_status(early) == ForwardMsg.FINISHED_EARLY_FOR_RERUN and not bb.ends_run(
        bb.finished_status(early))


def test_finished_status_ignores_other_messages_text_and_garbage():
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    delta = ForwardMsg()
    delta.delta.new_element.markdown.body = "hello"
    assert bb.finished_status(delta.SerializeToString()) is None
    assert bb.finished_status("a text frame") is None
    assert bb.finished_status(b"\xff\xff\xff\xff") is None
    big = ForwardMsg()
    big.delta.new_element.markdown.body = "x" * (bb.SMALL_FRAME + 10)
    assert bb.finished_status(big.SerializeToString()) is None  # large frames are deltas: not decoded
    assert not bb.ends_run(None)


# ------------------------------------------------------------------------------------------- server log
def test_script_log_lines_parse_and_a_half_written_line_waits():
    text = ("1796177104.390667\t2478.173\t605.140\tfull\n"
            "1796177139.257113\t309.481\t78.718\tfragment\n"
            "1796177140.0\t12")
    runs = script_times.parse(text)
    assert runs == [script_times.ScriptRun(1796177104.390667, 2478.173, 605.140, "full"),
                    script_times.ScriptRun(1796177139.257113, 309.481, 78.718, "fragment")]
    assert bb.runs_between(runs, 1796177139.0, 1796177141.0) == runs[1:]
    assert bb.runs_between(runs, 0, 1) == []


def test_the_hook_logs_every_script_run_with_its_time(tmp_path, monkeypatch):
    """script_times.install wraps the ScriptRunner method AppTest's runner inherits: each run leaves a line."""
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
    from streamlit.testing.v1 import AppTest

    monkeypatch.setattr(ScriptRunner, "_run_script", ScriptRunner._run_script)  # restored after the test
    log = tmp_path / "runs.tsv"
    script_times.install(log)
    at = AppTest.from_string("import time\nimport streamlit as st\ntime.sleep(0.05)\nst.write('hi')\n")
    at.run()
    at.run()
    runs = script_times.parse(log.read_text(encoding="ascii"))
    assert len(runs) == 2
    assert all(r.kind == "full" and r.wall_ms >= 50 and 0 <= r.cpu_ms < r.wall_ms for r in runs)
    assert runs[0].start <= runs[1].start


# ------------------------------------------------------------------------------------------- the floor app
def test_the_floor_offers_the_same_filters_as_the_atlas(ds):
    from benchmarks.floor_app import TITLES, filter_options
    from components.filters import _choices

    options, names, labels = _choices(ds)
    floor = filter_options(ds)
    assert list(floor) == list(TITLES) == list(options)
    for param in options:
        assert list(floor[param]) == options[param], param  # same values, same order
    assert floor["iscm"] == {i: names[i] for i in options["iscm"]}
    assert floor["theme"] == {t: labels[t] for t in options["theme"]}
    assert len(floor["theme"]) == len(ds.themes) and len(floor["iscm"]) == len(ds.iscms)


# ------------------------------------------------------------------------------------------- rows
def sample(ms: float, **kw) -> bb.Sample:
    base = dict(what="stPlotlyChart", changes=10, charts=1, server_ms=ms / 4, server_cpu_ms=ms / 8, server_runs=1,
                ws_bytes=int(ms * 100), ws_msgs=20, plotly_calls=2, plotly_ms=ms / 2,
                main_ms={"long_frames": ms / 3, "script": ms / 4, "style_layout": 10.0, "n": 3})
    return bb.Sample(ms=ms, **{**base, **kw})


def recorder(load_ms: float, change_ms: float) -> bb.Recorder:
    """Three runs of every page at the given times, the floor at 1000 ms load and 300 ms filter change."""
    rec = bb.Recorder()
    for _ in range(3):
        for subject in bb.SUBJECTS:
            f_load, f_change = sample(1000), sample(300)
            rec.add((subject.name, "load"), sample(load_ms), f_load)
            rec.add((subject.name, "filter change"), sample(change_ms), f_change)
            rec.add(("floor", "load"), f_load)
            rec.add(("floor", "filter change"), f_change)
            if subject.interaction:
                rec.add((subject.name, bb.INTERACTIONS[subject.interaction]), sample(change_ms), f_change)
        for _scale, label in bb.FLOOR_MAPS:
            rec.add((label, "load"), sample(1800))
            rec.add((label, "filter change"), sample(850))
    return rec


def test_rows_meet_the_targets_at_two_and_three_times_the_floor():
    rows = bb.rows_of(recorder(load_ms=2000, change_ms=900))  # exactly 2x and 3x
    ratios = [r for r in rows if r["unit"] == "x"]
    n_interactions = sum(1 for s in bb.SUBJECTS if s.interaction)
    assert len(ratios) == 2 * len(bb.SUBJECTS) + n_interactions
    assert all(r["ok"] for r in ratios) and exit_status(rows) == 0
    loads = [r for r in ratios if r["name"].endswith("load / floor")]
    assert {r["target"] for r in loads} == {bb.LOAD_TARGET}
    assert {r["target"] for r in ratios if r not in loads} == {bb.INTERACTION_TARGET}
    assert all(r["median"] == pytest.approx(2.0) for r in loads)
    seconds = {r["name"]: r for r in rows if r["unit"] == "s"}
    assert seconds["browser: floor, load"]["median"] == 1.0
    assert seconds["browser: floor, load"]["n"] == 3 * len(bb.SUBJECTS)  # measured before every page, 3 runs
    assert seconds["browser: floor + one 1:50m map, load"]["note"].startswith("1.8x the floor's load")
    assert all(r["target"] is None for r in seconds.values())  # seconds inform, ratios decide
    assert "Themes, pick a theme" in format_table(rows)


def test_a_miss_fails_the_run_and_says_where_the_time_went():
    rows = bb.rows_of(recorder(load_ms=2500, change_ms=1200))
    missed = [r for r in rows if r["ok"] is False]
    assert missed and exit_status(rows) == 1
    assert all(r["unit"] == "x" and r["profile"] for r in missed)
    text = missed[0]["profile"]
    assert "medians of 3 runs" in text
    assert "server script runs" in text and "0.62 s wall" in text  # 2500 / 4 ms
    assert "websocket received" in text and "0.25 MB" in text  # 2500 * 100 bytes
    assert "Plotly drawing" in text and "1.25 s" in text
    assert "browser main thread" in text and "[" in text  # the floor's figures beside


def test_a_page_that_broke_is_a_failed_row_and_the_others_are_still_reported():
    rec = recorder(load_ms=1500, change_ms=600)
    broken = bb.SUBJECTS[2].name
    for key in [k for k in rec.samples if k[0] == broken]:
        del rec.samples[key], rec.floor[key]
    rec.errors[broken] = "Membership, run 1: expected one stSelectbox labelled 'State or territory' in stMain, found 0"
    rows = bb.rows_of(rec)
    failed = [r for r in rows if r["ok"] is False]
    assert [r["name"] for r in failed] == [f"browser: {broken}"]
    assert "found 0" in failed[0]["note"] and exit_status(rows) == 1
    assert any(r["name"] == f"browser: {bb.SUBJECTS[3].name}, load / floor" and r["ok"] for r in rows)


def test_nothing_measured_is_a_failure_not_an_empty_table():
    rec = bb.Recorder()
    assert exit_status(bb.rows_of(rec)) == 1
    rec.errors["Overview"] = "boom"
    assert [r["note"] for r in bb.rows_of(rec)] == ["error: boom"]
