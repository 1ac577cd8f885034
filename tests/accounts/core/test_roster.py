from clinicshield.accounts.core.roster import decode_roster, parse_roster, roster_csv

GOOD_AND_BAD = """name,email,department,site,language,phone
Ana García,ana@a.example,reception,Madrid,es,600000000
,nobody@a.example,reception,Madrid,es,
Luis Pérez,not-an-email,nurse,Madrid,es,
Marta Gil,marta@a.example,astronaut,Madrid,es,
Ana Twice,ANA@a.example,nurse,Toledo,en,
Pau Vidal,pau@a.example,Enfermería,Toledo,,
Jo Smith,jo@a.example,lab,Madrid,fr,
Too,many@a.example,lab,Madrid,es,1,2
Sin Sede,sinsede@a.example,lab,,es,
"""


def test_it_keeps_good_rows_and_reports_each_bad_one_by_line() -> None:
    roster = parse_roster(GOOD_AND_BAD)
    assert [r.email for r in roster.rows] == ["ana@a.example", "pau@a.example"]
    assert [(p.line, p.reason) for p in roster.problems] == [
        (3, "missing_name"),
        (4, "bad_email"),
        (5, "unknown_department"),
        (6, "duplicate_email"),
        (8, "unknown_language"),
        (9, "too_many_cells"),
        (10, "missing_site"),
    ]


def test_it_maps_spanish_department_names_and_defaults_language_to_spanish() -> None:
    pau = parse_roster(GOOD_AND_BAD).rows[1]
    assert (pau.department, pau.language) == ("nurse", "es")


def test_it_names_missing_columns() -> None:
    roster = parse_roster("name,email\nAna,ana@a.example\n")
    assert roster.missing_columns == ["department", "site", "language"]
    assert roster.rows == []


def test_it_reads_a_byte_order_mark_and_upper_case_headers() -> None:
    roster = parse_roster("\ufeffName,Email,Department,Site,Language\nAna,ana@a.example,lab,M,en\n")
    assert roster.rows[0].name == "Ana"


def test_export_reads_back_the_same_rows() -> None:
    text = roster_csv([("Ana", "ana@a.example", "lab", "Madrid", "en")])
    assert parse_roster(text).rows[0].site == "Madrid"


def test_it_reads_utf8_with_or_without_a_bom_and_excels_latin1() -> None:
    line = "Ana García,ana@a.example\n"
    assert decode_roster(line.encode()) == line
    assert decode_roster(b"\xef\xbb\xbf" + line.encode()) == line
    assert decode_roster(line.encode("latin-1")) == line
