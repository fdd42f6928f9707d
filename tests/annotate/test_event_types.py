"""ACLED event typing (issue 16): the issue's failures as tests, role typing, evidence spans and a
held-out quality floor on tests/fixtures/events (split fixed in bench/events.py)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from storyline.annotate.entities import find_entities
from storyline.annotate.event_types import acled_event_type, acled_sub_event_types, most_confident
from storyline.annotate.events import find_events
from storyline.annotate.nlp import load_nlp

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "events" / "acled_style_snippets.jsonl"


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


def _events(nlp, text, places=()):
    sp = nlp(text)
    ents, _ = find_entities(sp)
    return find_events(sp, entities=ents, places=places)


def _label(nlp, text):
    best = most_confident(_events(nlp, text))
    return best.acled_sub_event_type if best is not None else "none"


def test_inventory_has_acled_25_sub_event_types():
    subs = acled_sub_event_types()
    assert len(subs) == 25 and len(set(subs)) == 25
    assert {acled_event_type(s) for s in subs} == {
        "Battles", "Explosions/Remote violence", "Violence against civilians", "Protests", "Riots",
        "Strategic developments"}
    assert acled_event_type("none") == "none"


def test_weapons_seized_is_disrupted_weapons_use_not_capture(nlp):
    evs = _events(nlp, "Weapons and ammunition have been seized by the police in the village.")
    seized = [e for e in evs if e.text == "seized"]
    assert seized and seized[0].type == "seize_arms" and not seized[0].territory_changed
    assert seized[0].acled_sub_event_type == "Disrupted weapons use"
    assert seized[0].acled_event_type == "Strategic developments"
    assert all(e.type != "capture" for e in evs)


def test_suicide_bombers_blew_themselves_up(nlp):
    text = "Two suicide bombers blew themselves up at a market, killing 20 people."
    evs = _events(nlp, text)
    assert any(e.type == "bombing" for e in evs)
    best = most_confident(evs)
    assert best.acled_sub_event_type == "Suicide bomb" and best.weapon == "suicide"
    weapon = [(s, e) for r, s, e in best.acled_evidence if r == "weapon"]
    assert weapon and text[weapon[0][0]:weapon[0][1]].lower() == "suicide"


@pytest.mark.parametrize("text", [
    "Rebels fired rockets at the airport.",
    "Government artillery shelled the villages overnight.",
    "Russian forces launched missiles at Kharkiv.",
])
def test_rockets_and_artillery_are_shelling(nlp, text):
    assert _label(nlp, text) == "Shelling/artillery/missile attack"


def test_government_regains_control(nlp):
    evs = _events(nlp, "Government forces have regained control of the town.")
    best = most_confident(evs)
    assert best.acled_sub_event_type == "Government regains territory"
    assert best.actor_type == "state_forces" and best.territory_changed


def test_non_state_overtakes(nlp):
    best = most_confident(_events(nlp, "Al-Shabaab militants captured the town of El Bur after clashes."))
    assert best.acled_sub_event_type == "Non-state actor overtakes territory"
    assert best.actor_type == "non_state_armed"


def test_demonstrators_marching_is_a_peaceful_protest_not_a_move(nlp):
    evs = _events(nlp, "Demonstrators marched on the electoral commission's offices.")
    assert evs and all(e.type != "move" for e in evs)
    best = most_confident(evs)
    assert best.type == "protest" and best.plover == "PROTEST"
    assert best.acled_sub_event_type == "Peaceful protest" and best.actor_type == "protesters"


@pytest.mark.parametrize("text,label", [
    ("Police fired tear gas to disperse protesters near the parliament.", "Protest with intervention"),
    ("Security forces opened fire on protesters, killing seven demonstrators.", "Excessive force against protesters"),
    ("Rioters torched a police station after the arrest.", "Violent demonstration"),
    ("A mob lynched a man accused of theft.", "Mob violence"),
    ("Soldiers raped two women in the village.", "Sexual violence"),
    ("Gunmen kidnapped three aid workers.", "Abduction/forced disappearance"),
    ("Police arrested an opposition leader on charges of inciting violence.", "Arrests"),
    ("The militia established a new base in the village.", "Headquarters or base established"),
    ("Militiamen looted shops in the market.", "Looting/property destruction"),
    ("The government and the rebels signed a ceasefire agreement.", "Agreement"),
    ("The militia handed over control of the town to the army.", "Non-violent transfer of territory"),
    ("Government aircraft dropped chlorine on the town.", "Chemical weapon"),
    ("Assailants threw a grenade at a police station.", "Grenade"),
    ("A roadside bomb exploded near a police vehicle.", "Remote explosive/landmine/IED"),
    ("A drone strike killed two militants.", "Air/drone strike"),
])
def test_classes_without_a_type_before(nlp, text, label):
    assert _label(nlp, text) == label


def test_target_type_splits_clash_from_violence_against_civilians(nlp):
    civ = most_confident(_events(nlp, "Gunmen killed 12 villagers in the village."))
    armed = most_confident(_events(nlp, "Gunmen attacked an army checkpoint."))
    assert civ.target_type == "civilians" and civ.acled_sub_event_type == "Attack"
    assert civ.acled_event_type == "Violence against civilians"
    assert armed.target_type == "armed" and armed.acled_event_type == "Battles"


def test_allowed_to_leave_under_agreement_is_evacuate(nlp):
    evs = _events(nlp, "Under the agreement, the militants and their families were allowed to leave the city.")
    leave = [e for e in evs if e.text == "leave"]
    assert leave and leave[0].type == "evacuate"
    evs = _events(nlp, "Some 300 fighters were evacuated from the city under a deal with local officials.")
    assert any(e.type == "evacuate" for e in evs)
    plain = _events(nlp, "The fighters fled the city.")
    assert [e.type for e in plain] == ["flee"]


def _with_places(nlp, text):
    from storyline.annotate.entities import split_candidates
    from storyline.annotate.places import find_places

    sp = nlp(text)
    ents, cands = find_entities(sp)
    e_c, blocked = split_candidates(cands)
    places = find_places(text, ents=e_c, blocked=blocked)
    return places, find_events(sp, entities=ents, places=places)


def test_escaped_manbij_gives_origin(nlp):
    places, evs = _with_places(nlp, "The ISIS fighters escaped Manbij and headed to Raqqa.")
    fled = [e for e in evs if e.text == "escaped"]
    assert fled and fled[0].type == "flee"
    assert [places[i].text for i in fled[0].origin] == ["Manbij"]


def test_origin_from_an_earlier_mention(nlp):
    places, evs = _with_places(nlp, "The fighters were trapped in Manbij for weeks. On Friday they escaped at night.")
    fled = [e for e in evs if e.text == "escaped"]
    assert fled and [places[i].text for i in fled[0].origin] == ["Manbij"]
    places, evs = _with_places(nlp, "The militants were besieged in Daraya. They were evacuated to Idlib on Friday.")
    ev = next(e for e in evs if e.text == "evacuated")
    assert [places[i].text for i in ev.origin] == ["Daraya"] and [places[i].text for i in ev.destination] == ["Idlib"]
    # no holding verb, no origin guessed
    places, evs = _with_places(nlp, "Rebels lived in Aleppo. They fled.")
    assert all(not e.origin for e in evs)


def test_left_for_gives_destination(nlp):
    places, evs = _with_places(nlp, "IS fighters have left Raqqa for Deir ez-Zor.")
    left = next(e for e in evs if e.text == "left")
    assert [places[i].text for i in left.origin] == ["Raqqa"]
    assert [places[i].text for i in left.destination] == ["Deir ez-Zor"]


def test_records_carry_acled_fields_and_spans_match_text(nlp):
    texts = [json.loads(line)["text"] for line in FIXTURE.read_text(encoding="utf-8").splitlines()[:40]]
    for text in texts:
        for e in _events(nlp, text):
            rec = e.to_record()
            for k in ("acled_event_type", "acled_sub_event_type", "actor_type", "target_type", "weapon",
                      "territory_changed", "acled_confidence", "acled_evidence", "plover", "plover_mode"):
                assert k in rec
            assert (rec["acled_sub_event_type"] == "none") == (rec["acled_event_type"] == "none")
            assert text[e.start:e.end] == e.text
            assert e.acled_evidence and e.acled_evidence[0] == ("trigger", e.start, e.end)
            for role, s, t in e.acled_evidence:
                assert 0 <= s < t <= len(text), (role, s, t)


def test_movement_without_acled_class_is_none(nlp):
    evs = _events(nlp, "The family travelled from Aleppo to Damascus by bus.")
    assert evs and all(e.acled_sub_event_type == "none" and e.acled_event_type == "none" for e in evs)
    assert most_confident(evs) is None


def _bench():
    spec = importlib.util.spec_from_file_location("bench_events", Path(__file__).resolve().parents[2] / "bench" / "events.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
@pytest.mark.parametrize("name,held_only", [("acled_style_snippets.jsonl", True), ("real_news_snippets.jsonl", False)])
def test_held_out_weighted_f1_floor(nlp, name, held_only):
    """Floors on the held-out ACLED-style snippets and the real news sentences (all held out):
    measured 0.887 and 0.898 weighted F1 when written; issue 16's goal is 0.6."""
    bench = _bench()
    path = FIXTURE.parent / name
    recs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    held = [r for r in recs if bench.held_out(r["id"]) or not held_only]
    assert len(held) >= 60
    pred = [bench.snippet_label(nlp, r["text"])[0] for r in held]
    sc = bench.acled_scores([r["sub_event_type"] for r in held], pred, acled_sub_event_types())
    assert sc["weighted_f1"] >= 0.80 and sc["coverage"] >= 0.85


def test_acled_fields_round_trip_through_the_store_codec(nlp):
    from storyline.layers import _events_in, _fields_out

    evs = _events(nlp, "Two suicide bombers blew themselves up at a market, killing 20 people.")
    back = _events_in(json.loads(json.dumps(_fields_out(evs))))
    assert back == evs and back[0].acled_sub_event_type == "Suicide bomb"


def test_diplomatic_protest_is_no_demonstration(nlp):
    evs = _events(nlp, "The talks stalled after repeated protests from the Turkish government.")
    prot = [e for e in evs if e.type == "protest"]
    assert prot and prot[0].plover == "PROTEST" and prot[0].acled_sub_event_type == "none"
    # police demonstrating over their pay are protesters (ACLED codes them so)
    assert _label(nlp, "Police officers protested outside the ministry over unpaid wages.") == "Peaceful protest"


def test_withdrawal_hands_over_control(nlp):
    text = "The rebels withdrew from the town, leaving it under the control of the army."
    best = most_confident(_events(nlp, text))
    assert best.acled_sub_event_type == "Non-violent transfer of territory" and best.territory_changed
    plain = most_confident(_events(nlp, "The militants withdrew from the front line on Sunday."))
    assert plain.acled_sub_event_type == "Change to group/activity" and not plain.territory_changed


@pytest.mark.parametrize("text,label", [
    ("Teachers went on strike in Lagos over unpaid salaries.", "Peaceful protest"),
    ("Workers staged a general strike in Khartoum.", "Peaceful protest"),
    ("Students held a sit-in at the university.", "Peaceful protest"),
    ("A US drone strike killed three men.", "Air/drone strike"),
    ("Russian forces launched a missile strike on Kharkiv.", "Shelling/artillery/missile attack"),
    ("The town came under heavy artillery fire.", "Shelling/artillery/missile attack"),
    ("The Taliban took control of the district on Sunday.", "Non-state actor overtakes territory"),
])
def test_strikes_sit_ins_and_control(nlp, text, label):
    assert _label(nlp, text) == label
