"""Forms in Spanish: the same questions, and the answers land in translations.es."""

from __future__ import annotations

import datetime as dt
import difflib
import shutil
from pathlib import Path

import yaml

from waystation import publish
from waystation.cli import main
from waystation.contribute import issue_forms
from waystation.records.listing_writer import read_front_matter
from waystation.records.validation import load_listings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "issue_forms"
TODAY = "2026-11-30"


def _run(capsys, issue: Path, providers: Path, *extra: str) -> tuple[int, str]:
    code = main(["from-issue", str(issue), "--out", str(providers), "--today", TODAY,
                 "--config", "/nonexistent.py", *extra])  # fmt: skip
    return code, capsys.readouterr().out


def test_each_form_has_a_spanish_version_with_the_same_questions():
    by_key = {form.key: form for form in issue_forms.FORMS}
    for key in ("new-listing", "correct-a-listing", "report-a-problem"):
        english, spanish = by_key[key], by_key[f"{key}-es"]
        assert spanish.lang == "es" and spanish.kind == key
        assert [q.id for q in spanish.questions] == [q.id for q in english.questions]
        assert [q.kind for q in spanish.questions] == [q.kind for q in english.questions]
        assert [q.required for q in spanish.questions] == [q.required for q in english.questions]
        for en_q, es_q in zip(english.questions, spanish.questions, strict=True):
            assert es_q.label != en_q.label, es_q.id  # asked in Spanish
            assert len(es_q.options) == len(en_q.options), es_q.id
            assert [issue_forms.option_id(o) for o in es_q.options][:3] == [
                issue_forms.option_id(o) for o in en_q.options
            ][:3] or es_q.id in ("problem", "confirmations"), es_q.id
        written = yaml.safe_load(
            (ROOT / ".github/ISSUE_TEMPLATE" / spanish.filename).read_text(encoding="utf-8")
        )
        assert written["name"].endswith("(en español)")


def test_a_spanish_form_fills_translations_es_and_leaves_english_for_a_translator(tmp_path, capsys):
    providers = tmp_path / "providers"
    providers.mkdir()
    code, out = _run(capsys, FIXTURES / "nuevo_servicio_en_espanol.md", providers)
    assert code == 0, out
    path = providers / "refugio-casa-luz-houston.md"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    mark = "# TO TRANSLATE: sent in Spanish (translations.es). Write the English summary, "
    assert lines[2].startswith(mark + "eligibility, how_to_apply, description")
    assert "the form was answered in es" in out and "0 error(s)" in out
    data = read_front_matter(text)[0].data
    assert data["translations"]["es"] == {
        "name": "Refugio Casa Luz",
        "summary": "Refugio confidencial y manejo de casos para mujeres sobrevivientes.",
        "eligibility": "Mujeres adultas que vivieron trata.",
        "how_to_apply": "Llame a la línea de ayuda; contestamos a toda hora.",
        "description": "Casa Luz ofrece un lugar seguro donde quedarse.\n\n"
        "Una persona de apoyo acompaña cada caso.",
    }
    # No Spanish text in the English fields but the (required) name.
    assert not {"summary", "eligibility", "how_to_apply"} & set(data)
    assert read_front_matter(text)[0].body == ""
    assert data["hours"][0] == {"days": ["mon", "tue", "wed", "thu", "fri"],
                                "opens": "09:00", "closes": "17:00"}  # fmt: skip
    assert data["phones"][0]["type"] == "hotline"  # "Línea de ayuda" is the Spanish label
    # The listing is valid, and each page shows each language's text where it has one.
    (listing,) = load_listings([path], today=dt.date(2026, 11, 30)).listings
    assert publish.text_in(listing, "summary", "es") == (data["translations"]["es"]["summary"],
                                                        True)  # fmt: skip
    assert publish.text_in(listing, "summary", "en") == (None, True)


def test_a_spanish_correction_changes_only_the_spanish_text(tmp_path, capsys):
    providers = tmp_path / "providers"
    providers.mkdir()
    target = providers / "harbor-light-chicago-loop.md"
    shutil.copy(FIXTURES / "listing_to_correct" / target.name, target)
    before = target.read_text(encoding="utf-8")
    body = issue_forms.render_body(
        issue_forms.CORRECT_A_LISTING_ES,
        {
            "listing": "providers/harbor-light-chicago-loop.md",
            "what_changed": "El resumen en español está desactualizado.",
            "summary": "Manejo de casos y asistencia legal de inmigración para adultos.",
            "changes": "agregar teléfono: 312-555-0150 | Mensaje de texto | Escríbanos",
            "confirmations": [issue_forms.es.NO_STREET_CONFIRMATION],
        },
    )
    issue = tmp_path / "correccion.md"
    issue.write_text(body, encoding="utf-8")
    code, out = _run(capsys, issue, providers)
    assert code == 0, out
    after = target.read_text(encoding="utf-8")
    added = [line[2:] for line in difflib.ndiff(before.splitlines(), after.splitlines())
             if line.startswith("+ ")]  # fmt: skip
    removed = [line for line in difflib.ndiff(before.splitlines(), after.splitlines())
               if line.startswith("- ")]  # fmt: skip
    assert removed == []
    assert added == [
        '  - {number: "312-555-0150", type: "text", label: "Escríbanos"}',
        "translations:",
        "  es:",
        '    summary: "Manejo de casos y asistencia legal de inmigración para adultos."',
    ]
    assert "it changes translations.es (summary)" in out


def test_the_spanish_guide_examples_are_understood():
    from waystation.contribute import item_edits
    from waystation.records import hours_text

    guide = (ROOT / "docs" / "contribuir.md").read_text(encoding="utf-8")
    block = guide.split("   ```\n", 2)[1]
    changes, wrong = item_edits.parse_changes(block.replace("\n   ", "\n").strip())
    assert wrong == [] and len(changes) == 6
    assert [(c.op, c.kind) for c in changes] == [
        ("add", "phone"), ("change", "phone"), ("remove", "service"),
        ("add", "language"), ("change", "hours"), ("remove", "hours"),
    ]  # fmt: skip
    for example in ("lunes a viernes de 9 a 17", "sábado de 10 a. m. a 2 p. m.",
                    "L-V 9:00 a 17:00", "viernes de 9 p. m. a 7 a. m."):  # fmt: skip
        assert f"`{example}`" in guide.replace("\n     ", " ")
        assert hours_text.parse_hours_text(example).problems == [], example
    (problem,) = hours_text.parse_hours_text("lunes a viernes de 9 a 5").problems
    assert "did you mean 09:00–17:00?" in problem.message
