"""Candidate ranking for toponym resolution: a linear score over named features.

:func:`storyline.annotate.places.find_places` scores every gazetteer candidate of a name as
``static · w_static + context · w_context``: the static features do not depend on the rest of
the document (prominence, match quality, feature class, cue words), the context features do
(the document's countries, first-level regions and resolved points, the dateline's country).
The candidate with the highest score wins; a softmax over the scores gives the confidence.

The weights are fitted (``scripts/fit_place_ranking.py``: a conditional logit, one softmax per
gold toponym over its candidates, L2 pull towards the hand-set starting weights) on the
*fit* half of LGL and GeoVirus (split by a stable hash of the article id, see
``bench/geocoding.py``), and shipped in ``storyline/data/place_ranking.json``. Without that
file the hand-set weights below apply (they were the scores before fitting).

Measured (gold toponyms, acc@161 / exact / mean km, report half, same detection code):
hand-set LGL 85.1 % / 82.2 % / 382, GeoVirus 82.2 % / 79.8 % / 184; fitted LGL 85.0 % / 81.9 %
/ 405, GeoVirus 82.6 % / 80.2 % / 205. On the fit half the fit raises top-1 among ambiguous
gold toponyms from 88.9 % to 89.7 %. The fitted ranker is thus level with the hand-set one:
what stands between these scores and 88 % is not ranking. On the report half, of the gold
toponyms still wrong, most have no gazetteer candidate within 161 km (GeoVirus: 12.5 % of
all toponyms, mostly countries and regions whose Wikipedia point lies 180-500 km from the
GeoNames-style point; LGL: 3.2 %) or no candidate at all (GeoVirus 3.8 %, LGL 3.9 %);
a wrong pick among good candidates is 1.0 % (GeoVirus) and 7.8 % (LGL, local US news).
Hyper-parameters (l2 0.001, one round) were chosen on the fit half (l2 0.01 / 0.003 / 0.001:
mean acc@161 of the two corpora 84.45 / 84.45 / 84.5 %).
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

# Static features, per candidate of a name (values in brackets: what they measure)
STATIC = (
    "prominence",  # log10 population, or a class constant (country 9, region 6.5, county 3.5)
    "province_city",  # a city named like its own province: lift to 7.5 ("Raqqa" is the city)
    "alias_english",  # matched an alternate name, in an English-named country (old or odd names)
    "alias_other",  # matched an alternate name elsewhere (exonyms: Palmyra for Tadmur)
    "transliteration",  # matched a consonant skeleton only
    "fuzzy",  # matched by string similarity only
    "qualifier",  # "X, Y" / "Y's X": Y contains this candidate
    "admin_cue_region",  # "Anbar province": the candidate is a region or district
    "admin_cue_other",  # ... and it is not
    "settlement_cue_town",  # "the town of X": the candidate is a populated place
    "settlement_cue_other",  # ... and it is not
    "feature_cue",  # "X River", "X crossing": the candidate is that kind of feature
    "qualifier_region",  # the name qualifies another and the candidate is a country or region
    "is_region",  # first-level region
    "is_district",  # second-level (US county)
    "is_country",  # country
    "is_feature",  # curated feature or continent
    "small_town",  # populated place under 5,000 people (or unknown)
    "capital",  # a national capital
    "support",  # coherence: another name of the document has a reading within ~50 km
)
CONTEXT = (
    "country",  # the document's other places are in this candidate's country (0..1)
    "admin1",  # ... in its first-level region (0..1)
    "near",  # ... near it: exp(-d / 150 km) to the nearest resolved point
    "country_contains",  # the candidate is a country that contains the document's places
    "near_wide",  # exp(-d / 1000 km) to the nearest resolved point
    "dateline_country",  # the dateline's place is in this country (agency datelines: weak)
    "country_share",  # share of the document's country evidence that is this candidate's country
    "admin1_share",  # share of its first-level region evidence that is this candidate's region
    "demonym_country",  # the text names this candidate's country by a demonym ("Syrian army")
    "english_home",  # lies in an English-named country (US, GB, ...) no other country outweighs
)

# The hand-set scores before fitting (places.py kept them as constants): the fit starts here.
DEFAULT_STATIC = {
    "prominence": 1.0,
    "province_city": 1.0,
    "alias_english": -2.0,
    "alias_other": -0.5,
    "transliteration": -1.0,
    "fuzzy": -2.0,
    "qualifier": 8.0,
    "admin_cue_region": 4.0,
    "admin_cue_other": -1.0,
    "settlement_cue_town": 1.5,
    "settlement_cue_other": -1.0,
    "feature_cue": 4.0,
    "qualifier_region": 3.0,
    "support": 3.0,
}
DEFAULT_CONTEXT = {"country": 2.5, "admin1": 2.5, "near": 2.0, "country_contains": 4.5}
# Kept at their hand-set values by the fit: deliberate readings the gazetteer's news use needs
# and the two corpora barely test ("Raqqa" and "Hasakah" are the cities, not their provinces:
# fitted freely, this weight fell to 0.25 and the sample corpus's Raqqa became the province).
FIXED = frozenset({"province_city", "transliteration", "fuzzy", "feature_cue"})

WEIGHTS_FILE = "place_ranking.json"


def default_weights() -> tuple[tuple[float, ...], tuple[float, ...]]:
    return (
        tuple(DEFAULT_STATIC.get(f, 0.0) for f in STATIC),
        tuple(DEFAULT_CONTEXT.get(f, 0.0) for f in CONTEXT),
    )


def weights_from(payload: dict[str, Any]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """(static, context) weight vectors from a weights file's payload; unknown names are
    ignored, missing ones are 0."""
    st = payload.get("static", {})
    cx = payload.get("context", {})
    return tuple(float(st.get(f, 0.0)) for f in STATIC), tuple(float(cx.get(f, 0.0)) for f in CONTEXT)


@lru_cache(maxsize=1)
def load_weights() -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The shipped fitted weights, or the hand-set defaults when the file is absent."""
    try:
        text = (resources.files("storyline") / "data" / WEIGHTS_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return default_weights()
    return weights_from(json.loads(text))


def dot(w: tuple[float, ...], x: list[float]) -> float:
    return sum(a * b for a, b in zip(w, x) if b)
