"""The organiser's call editor: rows of labels, codes made once from the label, add / move / remove."""

from concerto.volunteers.forms import CallEditor, Row, new_code


def post(editor: CallEditor, **extra) -> dict:
    """The POST a browser sends for the rows of ``editor``."""
    data = {}
    for key, rows in editor.lists.items():
        data[f"{key}-count"] = str(len(rows))
        for i, row in enumerate(rows):
            data[f"{key}-{i}-code"], data[f"{key}-{i}-label"] = row.code, row.label
            if row.remove:
                data[f"{key}-{i}-remove"] = "on"
            if key == "q":
                data[f"q-{i}-o-count"] = str(len(row.options))
                for j, option in enumerate(row.options):
                    data[f"q-{i}-o-{j}-code"], data[f"q-{i}-o-{j}-label"] = option.code, option.label
                    if option.remove:
                        data[f"q-{i}-o-{j}-remove"] = "on"
    data.update(extra)
    return data


def editor() -> CallEditor:
    return CallEditor(
        [Row("dessin", "Dessiner"), Row("histoire", "Histoire du quartier"), Row()],
        [Row("atelier-1", "Samedi 14 mars"), Row()],
        [Row("age", "Âge", options=[Row("jeune", "Moins de 45 ans"), Row("senior", "45 ans et plus"), Row()])],
    )


def test_codes_are_made_once_from_labels_and_never_collide():
    assert new_code("Dessiner, illustrer", set(), "talent-1") == "dessiner-illustrer"
    assert new_code("Dessiner", {"dessiner"}, "talent-1") == "dessiner-2"
    assert new_code("!!!", set(), "talent-3") == "talent-3"
    assert new_code("Sector", set(), "question-1") == "sector-2"  # reserved for the household's sector


def test_the_post_round_trips_and_empty_rows_are_ignored():
    cleaned = CallEditor.from_post(post(editor())).cleaned()
    assert cleaned["talents"] == [{"code": "dessin", "label": "Dessiner"},
                                  {"code": "histoire", "label": "Histoire du quartier"}]
    assert cleaned["profile_questions"][0]["options"][1] == {"code": "senior", "label": "45 ans et plus"}


def test_renaming_keeps_the_code_and_a_new_row_gets_one():
    e = editor()
    e.talents[0].label = "Dessiner, peindre"
    e.talents[2].label = "Bricoler, réparer"
    cleaned = CallEditor.from_post(post(e)).cleaned()
    assert cleaned["talents"][0] == {"code": "dessin", "label": "Dessiner, peindre"}
    assert cleaned["talents"][2] == {"code": "bricoler-reparer", "label": "Bricoler, réparer"}


def test_moving_and_adding_rows():
    e = CallEditor.from_post(post(editor()))
    assert e.apply("down:t-0") and [r.code for r in e.talents[:2]] == ["histoire", "dessin"]
    assert e.apply("up:q-0-o-1") and [o.code for o in e.questions[0].options[:2]] == ["senior", "jeune"]
    assert not e.apply("up:t-0") and not e.apply("down:t-99") and not e.apply("up:z-1") and not e.apply("rm:t-1")
    assert e.apply("add:q") and len(e.questions) == 2 and len(e.questions[1].options) == 2
    assert e.apply("add:q-0-o") and len(e.questions[0].options) == 4


def test_removing_and_bad_rows_are_reported_on_their_row():
    e = editor()
    e.talents[1].remove = True
    e.questions[0].options[1].remove = True  # one answer left: refused
    e.dates[0].label = "  "  # an existing date emptied: refused, not silently dropped
    checked = CallEditor.from_post(post(e))
    assert checked.cleaned() is None
    assert set(checked.errors) == {"workshop_dates", "profile_questions"}
    assert checked.dates[0].error and checked.questions[0].error
    e.talents[0].label = "x" * 201
    checked = CallEditor.from_post(post(e))
    checked.cleaned()
    assert checked.talents[0].error


def test_counters_from_the_post_are_bounded():
    e = CallEditor.from_post({"t-count": "1000000", "d-count": "abc", "q-count": "-3"})
    assert len(e.talents) == 100 and e.dates == [] and e.questions == []
