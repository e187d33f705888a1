"""A roster kept as a household fact: what pre-fills the next survey, what a confirmation
compares, and how a sent roster replaces the fact member by member (``facts.py``)."""

from __future__ import annotations

from backend.surveys.facts import known_entries, roster_facts, roster_value, sent_entries
from backend.surveys.xlsform import read_xlsform
from tests.xlsforms import FORMS, LI, WANG, XIAO, workbook

FORM = read_xlsform(workbook(FORMS["member_facts"])).form.model_dump(mode="json")
[ROSTER] = roster_facts(FORM)
GOOD = FORMS["member_facts"].good["members"]


def test_the_roster_and_its_member_facts():
    assert (ROSTER.repeat, ROSTER.fact) == ("members", "household_members")
    assert [(q["name"], q["fact"]) for q in ROSTER.questions] == [
        ("member_name", "name"), ("age", "age"), ("relation", "relation")]


def test_a_sent_roster_becomes_the_fact_and_fills_the_next_survey_in():
    value = roster_value(ROSTER, GOOD, None)
    assert value == {"types": {"name": "text", "age": "integer", "relation": "select_one"},
                     "members": [
        {"id": WANG, "values": {"name": "王秀英", "age": 46, "relation": "head"}},
        {"id": LI, "values": {"name": "李强", "age": 48, "relation": "spouse"}},
        {"id": XIAO, "values": {"name": "李小明", "age": 12, "relation": "child"}}]}
    # Pre-filled: ids and member facts, not what is asked anew (working this month).
    known = known_entries(ROSTER, value)
    assert known[0] == {"@id": WANG, "member_name": "王秀英", "age": 46, "relation": "head"}
    assert sent_entries(ROSTER, GOOD) == known


def test_edits_removals_and_additions_replace_members_and_keep_what_is_not_asked():
    value = roster_value(ROSTER, GOOD, None)
    value["members"][0]["values"]["phone"] = "139"  # asked by another form
    value["types"]["phone"] = "text"
    new = "be3f4d85-5c3b-4d8a-a076-3a0f8d4b5c34"
    sent = [{"@id": XIAO, "member_name": "李小明", "age": 13, "relation": "child"},
            {"@id": WANG, "member_name": "王秀英", "relation": "head"},  # age left unanswered
            {"@id": new, "member_name": "张兰", "age": 70, "relation": "parent"}]
    after = roster_value(ROSTER, sent, value)
    assert [m["id"] for m in after["members"]] == [XIAO, WANG, new]  # 李强 left
    assert after["members"][0]["values"]["age"] == 13
    assert after["members"][1]["values"] == {"name": "王秀英", "age": 46, "relation": "head",
                                             "phone": "139"}
    assert after["types"]["phone"] == "text"


def test_a_value_of_another_type_or_choice_is_not_pre_filled():
    value = roster_value(ROSTER, GOOD, None)
    value["types"]["age"] = "text"
    value["members"][1]["values"]["relation"] = "cousin"  # no longer a choice
    known = known_entries(ROSTER, value)
    assert all("age" not in e for e in known) and "relation" not in known[1]
    # A changed type drops the old value of a member who did not answer it this time.
    assert "age" not in roster_value(ROSTER, [{"@id": WANG, "member_name": "王"}],
                                     value)["members"][0]["values"]
    assert known_entries(ROSTER, "not a roster") == [] and known_entries(ROSTER, {
        "members": [{"values": {}}, "x"]}) == []


def test_one_fact_name_holds_one_kind_in_a_county():
    """A roster ``members`` and a count ``members`` would overwrite each other's record in
    turn: a form using a name the county keeps as the other kind is refused at that field;
    the same kind, other names and member facts inside the roster are not conflicts."""
    from backend.surveys.facts import fact_fields, kind_conflicts

    form = {
        "groups": [{"name": "people", "repeat": True, "fact": "members"},
                   {"name": "home"}],
        "questions": [
            {"name": "m_name", "type": "text", "group": "people", "fact": "name"},
            {"name": "phone", "type": "text", "group": "home", "fact": "phone"},
            {"name": "size", "type": "integer", "fact": "size"}]}
    assert fact_fields(form) == {"members": (True, "groups.0.fact"),
                                 "phone": (False, "questions.1.fact"),
                                 "size": (False, "questions.2.fact")}
    assert kind_conflicts(form, {"members": True, "phone": False, "name": False}) == []
    found = kind_conflicts(form, {"members": False, "size": True, "other": True})
    assert [(e.field, e.code, e.params) for e in found] == [
        ("groups.0.fact", "fact_kept_as_answer", {"fact": "members"}),
        ("questions.2.fact", "fact_kept_as_roster", {"fact": "size"})]
