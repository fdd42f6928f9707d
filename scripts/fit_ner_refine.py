"""Refit the entity type model (storyline.annotate.ner_refine) on all of re3d and write its weights.

    python scripts/fit_ner_refine.py [--data DIR]

DIR defaults to ../shared/datasets/re3d. Writes src/storyline/data/ner_refine.json. The
figures reported for the model are leave-one-source-out (``python bench/ner.py --loso``): each
source is scored by a model refitted without it, never by the shipped weights.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "src" / "storyline" / "data" / "ner_refine.json"


def main(argv: list[str] | None = None) -> int:
    from storyline.annotate import ner_eval as ev
    from storyline.annotate.nlp import load_nlp

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "datasets" / "re3d")
    args = parser.parse_args(argv)
    golds = ev.load_re3d(args.data)
    docs = list(load_nlp().pipe([g.text for g in golds]))
    model = ev.fit_refiner(golds, docs)
    about = ("Weights of storyline.annotate.ner_refine's type model (multinomial logistic regression over feature "
             "strings), fitted by scripts/fit_ner_refine.py on all five re3d sources (data_sha256). Reported figures "
             "are leave-one-source-out: python bench/ner.py --loso.")
    data = {"about": about, "data_sha256": ev.data_hash(args.data), **model.to_json()}
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(model.weights)} features from {len(golds)} documents")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
