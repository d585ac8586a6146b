"""Reading households files as spreadsheets save them: encodings, delimiters, headers, errors, duplicates."""

from concerto.letters.households_csv import (
    MAX_BYTES,
    household_key,
    match_street_rule,
    parse_households,
    sector_lookup,
)

SECTORS = sector_lookup([("avenue-saint-jerome", "Avenue Saint-Jérôme"), ("rue-lavandes", "Rue des Lavandes")])
RULES = [("rue des Lavandes", "rue-lavandes"), ("avenue Saint-Jérôme", "avenue-saint-jerome")]


def parse(text, *, encoding="utf-8", existing=(), rules=RULES, **kwargs):
    data = text if isinstance(text, bytes) else text.encode(encoding)
    return parse_households(data, sectors=SECTORS, street_rules=rules, existing_keys=set(existing), **kwargs)


def codes(preview):
    return [(e.line, e.code) for e in preview.errors]


GOOD = (
    "adresse;complement;code_postal;ville;secteur;nom\n"
    "12 avenue Saint-Jérôme;Bât. B, apt 12;13090;Aix-en-Provence;avenue-saint-jerome;Famille Martin\n"
    "4 rue des Lavandes;;13090;Aix-en-Provence;Rue des lavandes;\n"
)


def test_french_file_with_semicolons_is_read():
    preview = parse(GOOD)
    assert preview.errors == []
    assert preview.delimiter == ";"
    assert [r["line"] for r in preview.rows] == [2, 3]
    first = preview.rows[0]
    assert first["address_line1"] == "12 avenue Saint-Jérôme"
    assert first["address_line2"] == "Bât. B, apt 12"
    assert first["sector"] == "avenue-saint-jerome" and first["sector_from"] == "file"
    assert first["name"] == "Famille Martin"
    # The sector can be written by name, in any case, without accents.
    assert preview.rows[1]["sector"] == "rue-lavandes"


def test_utf8_bom_and_windows_1252_and_utf16_are_accepted():
    for data in (b"\xef\xbb\xbf" + GOOD.encode("utf-8"), GOOD.encode("cp1252"), GOOD.encode("utf-16")):
        preview = parse(data)
        assert preview.errors == [], preview.errors
        assert preview.rows[0]["address_line1"] == "12 avenue Saint-Jérôme"
    assert parse(GOOD.encode("cp1252")).encoding == "Windows-1252"


def test_commas_tabs_and_english_headers():
    text = ("Address_Line1,address_line2,Postcode,CITY,Sector,Name\n"
            '"12, avenue Saint-Jérôme",,13090,Aix-en-Provence,,\n')
    preview = parse(text)
    assert preview.errors == []
    assert preview.delimiter == ","
    assert preview.rows[0]["address_line1"] == "12, avenue Saint-Jérôme"
    assert preview.rows[0]["sector"] == "avenue-saint-jerome" and preview.rows[0]["sector_from"] == "rule"
    tabbed = parse("Adresse 1\tCP\tCommune\n3 rue des Lavandes\t13090\tAix\n")
    assert tabbed.errors == [] and tabbed.delimiter == "\t"


def test_accented_headers_in_any_case():
    preview = parse("ADRESSE;Complément;Code Postal;Ville\n1 place X;;13090;Aix\n")
    assert preview.errors == []
    assert preview.without_sector == 1


def test_every_kind_of_line_error_is_reported_with_its_line():
    text = (
        "adresse;complement;code_postal;ville;secteur\n"
        ";;13090;Aix;\n"                          # 2: missing address
        "1 rue A;;1309;Aix;\n"                    # 3: 4 digits
        "2 rue A;;ABCDE;Aix;\n"                   # 4: not a postcode
        "3 rue A;;13090;Aix;Nulle part\n"         # 5: unknown sector
        "4 rue A;;13090;Aix;;en trop\n"           # 6: too many columns
        f"{'x' * 1200};;13090;Aix;\n"             # 7: line too long
        "5 rue A;;13090;;\n"                      # 8: missing city
        f"{'y' * 250};;13090;Aix;\n"              # 9: field too long
        "6 rue A;;;Aix;\n"                        # 10: missing postcode
        ";;;;\n"                                  # 11: empty line, ignored
        "7 rue A;;13090;Aix;\n"                   # 12: fine
    )
    preview = parse(text)
    assert codes(preview) == [
        (2, "missing_address"), (3, "bad_postcode"), (4, "bad_postcode"), (5, "unknown_sector"),
        (6, "too_many_columns"), (7, "line_too_long"), (8, "missing_city"), (9, "too_long"),
        (10, "missing_postcode"),
    ]
    assert [r["line"] for r in preview.rows] == [12]
    unknown = next(e for e in preview.errors if e.code == "unknown_sector")
    assert "avenue-saint-jerome" in unknown.message and "rue-lavandes" in unknown.message
    assert "01309" in preview.errors[1].message  # the hint says how to write it


def test_line_numbers_follow_the_spreadsheet_with_quoted_newlines():
    text = 'adresse;code_postal;ville\n"1 rue A\nsuite";13090;Aix\n;13090;Aix\n'
    preview = parse(text)
    assert codes(preview) == [(3, "missing_address")]


def test_missing_required_headers_are_named():
    preview = parse("rue;cp\n1 rue A;13090\n")
    assert [e.code for e in preview.errors] == ["missing_header", "missing_header"]
    assert all(e.line == 1 for e in preview.errors)
    assert preview.rows == []


def test_empty_file_header_only_and_too_big_and_too_many_rows():
    assert [e.code for e in parse("").errors] == ["empty_file"]
    assert [e.code for e in parse("\n  \n").errors] == ["empty_file"]
    assert [e.code for e in parse("adresse;code_postal;ville\n").errors] == ["no_rows"]
    assert [e.code for e in parse(b"a" * (MAX_BYTES + 1)).errors] == ["file_too_big"]
    many = "adresse;code_postal;ville\n" + "".join(f"{i} rue A;13090;Aix\n" for i in range(1, 6))
    assert [e.code for e in parse(many, max_rows=3).errors] == ["too_many_rows"]


def test_duplicates_within_the_file_and_against_existing_households():
    text = (
        "adresse;complement;code_postal;ville\n"
        "12 Av. Saint-Jérôme;Bât B apt 12;13090;Aix\n"
        "12 avenue saint jerome;bat. B, appt 12;13090;Aix\n"   # same letterbox, typed differently
        "3 bd du Roi René;;13090;Aix\n"
    )
    existing = {household_key(["3 boulevard du Roi-René"], "13090")}
    preview = parse(text, existing=existing)
    assert preview.errors == []
    assert [r["line"] for r in preview.rows] == [2]
    dups = {(d.line, d.other_line) for d in preview.duplicates}
    assert dups == {(3, 2), (4, None)}


def test_household_key_expands_abbreviations_and_ignores_accents_and_punctuation():
    assert household_key(["12, Bd. de l'Europe"], "13090") == household_key(["12 boulevard de l europe"], "13 090")
    assert household_key(["1 all. des Pins"], "13090") == household_key(["1 Allée des Pins"], "13090")
    assert household_key(["1 r. X"], "13090") == household_key(["1 rue X"], "13090")
    assert household_key(["1 rue X"], "13090") != household_key(["1 rue X"], "13100")
    assert household_key(["1 rue X", "apt 2"], "13090") != household_key(["1 rue X"], "13090")


def test_street_rules_match_whole_words_without_the_number():
    rules = [("rue des Lavandes prolongée", "b"), ("rue des Lavandes", "a")]
    assert match_street_rule("12 bis, r. des Lavandes", rules) == "a"
    assert match_street_rule("3 rue des Lavandes Prolongée", rules) == "b"
    assert match_street_rule("3 rue des Lavandesses", rules) is None
    assert match_street_rule("Résidence Les Platanes", [("residence les platanes", "p")]) == "p"


def test_csv_sector_wins_over_street_rules_and_no_sector_is_a_warning():
    text = ("adresse;code_postal;ville;secteur\n"
            "1 rue des Lavandes;13090;Aix;avenue-saint-jerome\n"
            "2 rue des Lavandes;13090;Aix;\n"
            "3 impasse Inconnue;13090;Aix;\n")
    preview = parse(text)
    assert preview.errors == []
    assert [r["sector"] for r in preview.rows] == ["avenue-saint-jerome", "rue-lavandes", ""]
    assert preview.without_sector == 1
    assert preview.by_sector() == {"avenue-saint-jerome": 1, "rue-lavandes": 1, "": 1}


def test_unknown_columns_are_ignored_and_listed():
    preview = parse("adresse;code_postal;ville;telephone\n1 rue A;13090;Aix;0600000000\n")
    assert preview.errors == []
    assert preview.ignored_columns == ["telephone"]


def test_preview_round_trips_through_json():
    from concerto.letters.households_csv import ImportPreview

    preview = parse(GOOD + "12 avenue Saint-Jérôme;Bât. B, apt 12;13090;Aix-en-Provence;;\n;;13090;Aix;\n")
    again = ImportPreview.from_json(preview.to_json())
    assert again.rows == preview.rows
    assert again.errors == preview.errors
    assert again.duplicates == preview.duplicates
