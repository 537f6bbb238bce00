"""Nothing in `wargame/` or `viz/` names a case, a country, a place or an actor: the engine, the language,
the story and the pages take every name from the scenario they are given, so that a new case runs in
every surface without a word of code changed.

The names come from the bundled files themselves: every scenario and exercise in `scenarios/` (its id,
the place before the date in its title, its actors' ids and names, its sites' ids and names, whoever
grants overflight) and every country (or its adjective) that those files or the actors' profiles mention.
A line of code that names one of them, in any case, fails the test, docstrings and comments included:
an example in a docstring is written with generic or textbook names.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
ACTORS = ROOT / "actors"
CODE = ("wargame", "viz")

# Countries by their English names, each with its adjectives (the forms a scenario's prose uses). Only
# those that a bundled file mentions are looked for, so that a country no case names (Chad, Jordan,
# Georgia, also names of people) never stands in the way of an ordinary word.
COUNTRIES = """
Afghanistan: Afghan; Albania: Albanian; Algeria: Algerian; Angola: Angolan; Argentina: Argentine,
Argentinian; Armenia: Armenian; Australia: Australian; Austria: Austrian; Azerbaijan: Azerbaijani, Azeri;
Bahrain: Bahraini; Bangladesh: Bangladeshi; Belarus: Belarusian; Belgium: Belgian; Benin: Beninese;
Bolivia: Bolivian; Bosnia: Bosnian; Botswana: Botswanan; Brazil: Brazilian; Bulgaria: Bulgarian;
Burkina Faso: Burkinabe, Burkinabè; Burundi: Burundian; Cambodia: Cambodian; Cameroon: Cameroonian;
Canada: Canadian; Central African Republic: Centrafrican; Chad: Chadian; Chile: Chilean; China: Chinese;
Colombia: Colombian; Congo: Congolese; Croatia: Croatian; Cuba: Cuban; Cyprus: Cypriot; Czechia: Czech;
Denmark: Danish; Djibouti: Djiboutian; Egypt: Egyptian; Eritrea: Eritrean; Estonia: Estonian; Ethiopia:
Ethiopian; Finland: Finnish; France: French; Gabon: Gabonese; Gambia: Gambian; Georgia: Georgian;
Germany: German; Ghana: Ghanaian; Greece: Greek; Guinea: Guinean; Hungary: Hungarian; India: Indian;
Indonesia: Indonesian; Iran: Iranian; Iraq: Iraqi; Ireland: Irish; Israel: Israeli; Italy: Italian;
Ivory Coast, Côte d'Ivoire: Ivorian; Japan: Japanese; Jordan: Jordanian; Kazakhstan: Kazakh; Kenya:
Kenyan; Korea: Korean; Kosovo: Kosovar; Kuwait: Kuwaiti; Kyrgyzstan: Kyrgyz; Laos: Laotian; Latvia:
Latvian; Lebanon: Lebanese; Liberia: Liberian; Libya: Libyan; Lithuania: Lithuanian; Mali: Malian;
Mauritania: Mauritanian; Mexico: Mexican; Moldova: Moldovan; Mongolia: Mongolian; Morocco: Moroccan;
Mozambique: Mozambican; Myanmar, Burma: Burmese; Nepal: Nepali, Nepalese; Netherlands: Dutch; Nicaragua:
Nicaraguan; Niger: Nigerien; Nigeria: Nigerian; Norway: Norwegian; Oman: Omani; Pakistan: Pakistani;
Palestine: Palestinian; Philippines: Filipino, Philippine; Poland: Polish; Portugal: Portuguese; Qatar:
Qatari; Romania: Romanian; Russia: Russian; Rwanda: Rwandan; Saudi Arabia: Saudi; Senegal: Senegalese;
Serbia: Serbian; Sierra Leone: Sierra Leonean; Somalia: Somali; South Africa: South African; Spain:
Spanish; Sri Lanka: Sri Lankan; Sudan: Sudanese; South Sudan: South Sudanese; Sweden: Swedish;
Switzerland: Swiss; Syria: Syrian; Taiwan: Taiwanese; Tajikistan: Tajik; Tanzania: Tanzanian; Thailand:
Thai; Togo: Togolese; Tunisia: Tunisian; Turkey, Türkiye: Turkish; Turkmenistan: Turkmen; Uganda:
Ugandan; Ukraine: Ukrainian; United Arab Emirates, Emirates: Emirati; United Kingdom, Britain: British;
United States, America: American; Uruguay: Uruguayan; Uzbekistan: Uzbek; Venezuela: Venezuelan; Vietnam:
Vietnamese; Yemen: Yemeni; Zambia: Zambian; Zimbabwe: Zimbabwean
"""

# Words that are capitalised in a name but ordinary in code ("Hamid Karzai International Airport", "Player
# A", "Support Point"). A word of a name that a bundled file also writes in lower case in its prose counts
# as ordinary too; whole names ("Tal Tamr", "Player A") and ids are always looked for.
ORDINARY = {
    "air", "airport", "airfield", "base", "naval", "port", "post", "crossing", "border", "camp", "gate",
    "garrison", "detachment", "facility", "embassy", "international", "point", "support", "technical",
    "material", "station", "field", "city", "road", "bridge", "north", "south", "east", "west",
    "northern", "southern", "eastern", "western", "central", "new", "old", "national", "democratic",
    "republic", "federation", "forces", "army", "government", "council", "guard", "front", "state",
    "kingdom", "united", "union", "ministry", "command", "party", "player", "legislator", "textbook",
    "classroom", "the", "and", "for", "area", "since", "near",
    "authorities",  # an actor's id, and the ordinary word for whoever governs
}  # fmt: skip

MONTHS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
}  # fmt: skip


@functools.cache
def _yaml(path: Path) -> dict:
    loader = getattr(
        yaml, "CSafeLoader", yaml.SafeLoader
    )  # plain YAML: libyaml's reader is quicker
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 (a safe loader)
    return data if isinstance(data, dict) else {}


def _strings(value) -> list[str]:
    """Every string in a YAML document (keys and values)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(k) + _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _bundled_files() -> list[Path]:
    return sorted(SCENARIOS.rglob("*.yaml")) + sorted(ACTORS.glob("*.yaml"))


def _lower_prose_words() -> set[str]:
    """The words the bundled files write in lower case inside sentences (ordinary words, not names), less
    any that is an id or a part of one (an id is a name, "post palmyra (russia) / leave" not prose)."""
    words: set[str] = set()
    ids: set[str] = set()
    for path in _bundled_files():
        for text in _strings(_yaml(path)):
            if " " not in text:
                ids.update(text.lower().split("_"))  # an id, a level, a date: not prose
                continue
            text = re.sub(r"\S*://\S*", " ", text)  # addresses are not prose
            words.update(w for w in re.findall(r"(?<![\w-])[a-z][a-z]+(?![\w-])", text))
    return words - ids


def _name_words(name: str) -> list[str]:
    """The capitalised words of a name, as they may be written alone ("HTS" of "HTS-led", "Salama" of
    "al-Salama"), without its months and numbers."""
    out = []
    for word in re.findall(r"[^\s(),/:;\"]+", name):
        for part in word.split("-"):
            part = part.strip(".'’")
            if len(part) >= 3 and part[0].isupper() and part.lower() not in MONTHS:
                out.append(part)
    return out


def _headline_place(title: str) -> list[str]:
    """The place a case's title starts with, before its date: "Kabul, August 2021: ..." -> Kabul."""
    head = title.split(":")[0]
    return _name_words(head.split(",")[0]) if "," in head else _name_words(head)


def case_names() -> dict[str, str]:
    """Every name the bundled files give a case, a place, an actor or a country, each with where from."""
    ordinary = ORDINARY | _lower_prose_words()
    names: dict[str, str] = {}

    def add(name: object, where: str, whole: bool = True) -> None:
        """A name (less its aside, when `whole`: "Qamishli airport (... since 2019)"), and its words."""
        if not isinstance(name, str) or not name.strip():
            return
        phrase = re.sub(r"\s*\([^)]*\)", "", name).strip() if whole else name
        if len(phrase) >= 3 and phrase.lower() not in ordinary | MONTHS:
            names.setdefault(phrase, where)
        for word in _name_words(name):
            if word.lower() not in ordinary:
                names.setdefault(word, where)

    def add_id(value: object, where: str) -> None:
        if isinstance(value, str) and len(value) >= 3 and value.lower() not in ordinary:
            names.setdefault(value, where)

    profiles = {p.stem: _yaml(p) for p in ACTORS.glob("*.yaml")}
    for path in sorted(SCENARIOS.glob("*.yaml")):
        spec, where = _yaml(path), f"scenarios/{path.name}"
        add_id(spec.get("id"), f"{where}: id")
        for word in _headline_place(str(spec.get("title", ""))):
            if word.lower() not in ORDINARY:
                names.setdefault(word, f"{where}: title")
        for entry in spec.get("actors") or []:
            profile = entry.get("profile") if isinstance(entry, dict) else None
            add_id(profile, f"{where}: actor")
            about = {**profiles.get(str(profile), {}), **(entry.get("overrides") or {})}
            add_id(about.get("id"), f"{where}: actor")
            add(about.get("name"), f"{where}: actor {profile}")
        for site in spec.get("sites") or []:
            add_id(site.get("id"), f"{where}: site")
            add(site.get("name"), f"{where}: site {site.get('id')}")
            add(site.get("name"), f"{where}: site {site.get('id')}", whole=False)
        for route in spec.get("air_routes") or []:
            for grant in route.get("overflight") or []:
                add_id(grant.get("by"), f"{where}: air route {route.get('id')}")
    for path in sorted((SCENARIOS / "exercises").glob("*.yaml")):
        spec, where = _yaml(path), f"scenarios/exercises/{path.name}"
        add_id(spec.get("id"), f"{where}: id")
        for word in _headline_place(str(spec.get("title", ""))):
            if word.lower() not in ORDINARY:
                names.setdefault(word, f"{where}: title")
    countries = []
    for line in COUNTRIES.split(";"):
        country, _, adjectives = line.partition(":")
        countries.append([f.strip() for f in (country + "," + adjectives).split(",") if f.strip()])
    every_form = "|".join(re.escape(f) for forms in countries for f in forms)
    text = "\n".join(p.read_text(encoding="utf-8") for p in _bundled_files())
    mentioned = set(re.findall(rf"(?<![\w-])(?:{every_form})(?![\w-])", text))
    for forms in countries:
        if mentioned.intersection(forms):
            for form in forms:
                names.setdefault(form, "a country the bundled files mention")
    return names


def _pattern(names) -> re.Pattern:
    # an underscore separates words here, so that draw_<actor>_resolve names its actor
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])", re.IGNORECASE)


def named_in(folders: list[Path], names: dict[str, str]) -> list[str]:
    """Each line of the Python files under `folders` that names one of `names`, as path:line: name."""
    found = []
    for folder in folders:
        for path in sorted(folder.rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            lowered = text.lower()
            near = [
                n for n in names if n.lower() in lowered
            ]  # a quick look first: most files hold none
            if not near:
                continue
            pattern = _pattern(near)
            for number, line in enumerate(text.splitlines(), 1):
                for match in pattern.finditer(line):
                    where = (
                        path.relative_to(folder.parent) if folder.parent in path.parents else path
                    )
                    found.append(f"{where}:{number}: '{match.group(0)}' ({line.strip()[:90]})")
    return found


@pytest.fixture(scope="module")
def names() -> dict[str, str]:
    return case_names()


def test_the_names_are_read_from_the_bundled_files(names):
    lowered = {n.lower() for n in names}
    # the seed case's own, as a check that the reading works: its id, country, actors, sites, a grantor
    for expected in (
        "syria_dec2024", "syria", "syrian", "russia", "russian", "turkey", "turkish", "sdf", "hts",
        "hmeimim", "tartus", "tamr", "damascus", "kobani", "iraq", "classroom_45min",
    ):  # fmt: skip
        assert expected in lowered, expected
    # and ordinary words are not names
    for ordinary in ("base", "air", "post", "airport", "point", "north", "player", "december"):
        assert ordinary not in lowered, ordinary


def test_no_code_names_a_case_a_country_a_place_or_an_actor(names):
    found = named_in([ROOT / folder for folder in CODE], names)
    assert not found, (
        "code names what only a scenario may name (write it generically, or read it from the "
        "scenario; a word wrongly taken for a name goes in ORDINARY):\n" + "\n".join(found)
    )


def test_a_planted_name_is_caught(names, tmp_path):
    folder = tmp_path / "wargame"
    folder.mkdir()
    (folder / "planted.py").write_text(
        '"""A docstring example: draw_russia_resolve."""\n'
        "OUTLINE = 'Syria (approx.)'\n"
        "# the base holds; the post is left; the airport opens\n"
        "x = f'{n} still in SYRIA'\n",
        encoding="utf-8",
    )
    found = named_in([folder], names)
    assert [f.split(":")[1] for f in found] == ["1", "2", "4"], found
