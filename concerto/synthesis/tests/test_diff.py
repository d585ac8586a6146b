"""Diffs between versions: paragraph then word level, escaped, reproducible, inline and side by side."""

from types import SimpleNamespace

from concerto.synthesis import diff


def v(number, title="Titre", summary="Résumé.", body=""):
    return SimpleNamespace(number=number, title=title, summary=summary, body=body)


def rows(old, new):
    return diff.paragraph_rows(old, new)


def test_identical_texts_have_no_change():
    result = diff.diff(v(1, body="Un.\n\nDeux."), v(2, body="Un.\r\n\r\nDeux.  "))
    assert not result.changed
    body = result.fields[2]
    assert [r.kind for r in body.rows] == ["equal", "equal"]
    assert "<ins>" not in str(body.rows[0].inline)


def test_a_changed_word_is_marked_inline_and_side_by_side():
    result = diff.diff(v(1, body="Les voitures roulent vite le matin."),
                       v(2, body="Les voitures roulent trop vite le matin."))
    (row,) = result.fields[2].rows
    assert row.kind == "changed"
    assert str(row.inline) in ("Les voitures roulent <ins>trop </ins>vite le matin.",
                               "Les voitures roulent<ins> trop</ins> vite le matin.")
    assert "<ins>" not in str(row.old) and "<del>" not in str(row.new)
    assert str(row.new) == str(row.inline)
    assert str(row.old) == "Les voitures roulent vite le matin."
    assert result.fields[0].changed is False and result.fields[2].changed is True


def test_whole_words_change_never_half_a_word():
    d = diff.word_diff("une piste cyclable", "une piste cyclables")
    assert str(d.inline) == "une piste <del>cyclable</del><ins>cyclables</ins>"


def test_unicode_letters_are_words():
    d = diff.word_diff("L’école élémentaire Œuvre — 8 h 30", "L’école maternelle Œuvre — 8 h 30")
    assert "<del>élémentaire</del><ins>maternelle</ins>" in str(d.inline)
    d = diff.word_diff("街道 安全", "街道 很安全")
    assert "<del>安全</del><ins>很安全</ins>" in str(d.inline)
    d = diff.word_diff("Vélo 🚲 partout", "Vélo 🛴 partout")
    assert "<del>🚲</del><ins>🛴</ins>" in str(d.inline)


def test_text_is_escaped_never_raw_html():
    result = diff.diff(v(1, body="<script>alert(1)</script> & co"), v(2, body="<b>gras</b> & co"))
    html = str(result.fields[2].rows[0].inline)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;" in html and "&gt;" in html and "&amp; co" in html and "<del>script</del>" in html
    side = result.fields[2].rows[0]
    assert "<script" not in str(side.old) and "<b>" not in str(side.new)


def test_empty_texts():
    assert rows("", "") == []
    assert rows(None, "") == []
    (row,) = rows("", "Nouveau paragraphe.")
    assert row.kind == "inserted" and row.old is None and str(row.new) == "<ins>Nouveau paragraphe.</ins>"
    (row,) = rows("Ancien.", "   ")
    assert row.kind == "deleted" and row.new is None and str(row.old) == "<del>Ancien.</del>"
    assert diff.diff({}, {"title": "T"}).fields[0].changed


def test_paragraphs_inserted_deleted_and_replaced():
    old = "Premier.\n\nDeuxième paragraphe ici.\n\nTroisième."
    new = "Premier.\n\nDeuxième paragraphe là.\n\nTroisième.\n\nQuatrième, ajouté."
    kinds = [r.kind for r in rows(old, new)]
    assert kinds == ["equal", "changed", "equal", "inserted"]
    kinds = [r.kind for r in rows(new, old)]
    assert kinds == ["equal", "changed", "equal", "deleted"]


def test_a_moved_paragraph_is_moved_not_rewritten():
    old = "Alpha un.\n\nBêta deux.\n\nGamma trois."
    new = "Bêta deux.\n\nGamma trois.\n\nAlpha un."
    result = rows(old, new)
    kinds = [r.kind for r in result]
    assert "moved_out" in kinds and "moved_in" in kinds
    assert "changed" not in kinds and "deleted" not in kinds and "inserted" not in kinds
    moved_in = next(r for r in result if r.kind == "moved_in")
    assert 'class="moved"' in str(moved_in.inline) and "Alpha un." in str(moved_in.new)
    assert moved_in.old is None


def test_line_breaks_inside_a_paragraph_stay():
    (row,) = rows("ligne un\nligne deux", "ligne un\nligne 2")
    assert "<br>" in str(row.inline)


def test_diff_between_any_two_stored_versions_is_reproducible():
    v1 = v(1, title="Sécuriser le passage", body="Les voitures roulent vite.")
    v2 = v(2, title="Sécuriser le passage", body="Les voitures roulent vite le matin.")
    v3 = v(3, title="Sécuriser le passage piéton", body="Les voitures roulent vite le matin.\n\nÉclairage la nuit.")
    first = diff.diff(v1, v3)
    again = diff.diff(v1, v3)
    assert first.as_dict() == again.as_dict()
    assert first.old_number == 1 and first.new_number == 3
    assert str(first.fields[0].rows[0].inline) == "Sécuriser le passage<ins> piéton</ins>"
    assert [r.kind for r in first.fields[2].rows] == ["changed", "inserted"]
    # Going through v2 or straight to v3 ends on the same text.
    assert diff.diff(v2, v3).fields[1].changed is False


def test_quote_helpers():
    text = "Poser des ralentisseurs. Poser des potelets."
    assert diff.apply_quote(text, "des potelets", "des bacs à fleurs") == \
        "Poser des ralentisseurs. Poser des bacs à fleurs."
    assert diff.apply_quote(text, "absent", "x") is None
    assert diff.apply_quote(text, "", "x") is None
    assert diff.quote_context(text, "des potelets", size=6) == ("Poser ", ".")
    assert diff.quote_context(text, "nope") is None
    marked = str(diff.highlight("a <b> Poser x Poser y", "Poser", prefix="x ", suffix=" y"))
    assert marked == "a &lt;b&gt; Poser x <mark>Poser</mark> y"
    assert diff.highlight("abc", "z") is None
