"""Benchmark: checking one survey response on the server with the ODK expression engine
(elementpath's XPath 1.0 with the ODK functions, ``backend/surveys/xpath.py``).

Run: ``.venv/bin/python tests/bench/bench_survey_rules.py``. Not a pytest test.

The household census (groups, a cascade, a member roster with relevant, constraint and
calculations, ``tests/xlsforms.py``) answered for a household of 20 members, checked and
normalised as a sync push does. Goal: under 100 ms a response, so one API process checks
the evening peak's survey responses of a county with room to spare.
"""

from __future__ import annotations

import datetime as dt
import time

from backend.surveys.rules import check_answers, normalise
from backend.surveys.xlsform import read_xlsform
from backend.surveys.xpath import TZ
from tests.xlsforms import FORMS, workbook

GOAL_MS = 100.0
MEMBERS = 20
ROUNDS = 30


def main() -> None:
    sample = FORMS["household_census"]
    form = read_xlsform(workbook(sample)).form.model_dump(mode="json")
    members = [{"member_name": f"成员{i}", "age": 5 + 3 * i, "sex": "f" if i % 2 else "m",
                **({"in_school": "yes"} if 6 <= 5 + 3 * i <= 18 else {})}
               for i in range(MEMBERS)]
    answers = {**sample.good, "size": MEMBERS, "members": members}
    now = dt.datetime(2026, 12, 3, 10, 0, tzinfo=TZ)
    errors = check_answers(form, answers, now)
    assert errors == [], errors
    start = time.perf_counter()
    for _ in range(ROUNDS):
        check_answers(form, answers, now)
        normalise(form, answers, now)
    ms = (time.perf_counter() - start) / ROUNDS * 1000
    print(f"survey response, {MEMBERS} members: {ms:.1f} ms (goal {GOAL_MS:.0f} ms, "
          f"ratio {ms / GOAL_MS:.2f})")


if __name__ == "__main__":
    main()
