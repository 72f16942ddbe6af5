"""Fit the answer chooser's feature weights (index/choose.py) on the visible evaluation sets.

For every case, the units the pipeline would rank are dumped with their features, and the unit
whose quote holds the gold text is the target (a unit next to it half a target: the quote window
takes close neighbours along). The weights are fitted as a listwise logistic model (softmax over
each question's units) with L2 regularisation; the news sets (BBC, seeds) count three times as
much as SQuAD and PolNeAR, since news is what the bot answers from.
The BBC set's halves (V1, V2: different writers) are cross-checked: weights fitted without one
half are scored on it, which is how a weight that only fits these questions shows itself.

    python bench/calibrate.py                 # dump (cached in bench/out/) and fit
    python bench/calibrate.py --fresh         # dump again (after changing the features)

It never changes the code: it prints the weights, to be copied into index/choose.py by hand.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.answer import Answerer  # noqa: E402
from index.choose import SPEAKER_TOPIC  # noqa: E402
from index.evidence import FEATURES, answer_test  # noqa: E402
from index.refresh import open_coverage  # noqa: E402
from index.text import fold  # noqa: E402
from index.window import quote_window  # noqa: E402

SHARED = ROOT.parent / "shared" / "eval"
SETS = {
    "bbc": (SHARED / "bbc" / "cases.jsonl", SHARED / "bbc" / "articles"),
    "seeds": (SHARED / "seed_questions.jsonl", ROOT / "seeds"),
    "squad": (SHARED / "squad" / "cases.jsonl", SHARED / "squad" / "articles"),
    "polnear": (SHARED / "polnear" / "cases.jsonl", SHARED / "polnear" / "articles"),
}
OUT = ROOT / "bench" / "out"


def cases(path: Path) -> list[dict]:
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        if "gold" not in case:
            case["gold"] = [{"source": case["gold_source"], "text": case["gold_text"]}]
        found.append(case)
    return found


def holds(case: dict, file: str, quote: str) -> bool:
    return any(file == g["source"] and fold(g["text"]) in fold(quote) for g in case["gold"])


def dump(name: str, limit: int | None) -> list[tuple[str, np.ndarray, np.ndarray, list[tuple[str, str]]]]:
    cases_path, corpus = SETS[name]
    coverage, _ = open_coverage([corpus], OUT / "state")
    answerer = Answerer(coverage)
    rows = []
    for case in cases(cases_path)[:limit]:
        if case.get("kind") == "abstain":
            continue
        question, units = answerer.contenders(case["question"])
        if not units:
            rows.append((case["id"], np.zeros((0, len(FEATURES))), np.zeros(0), [], False))
            continue
        wanted = answer_test(question, question.wants)
        matrix = np.array([[u.features[f] for f in FEATURES] for u in units])
        gold = []
        shown = []
        for unit in units:
            start, end = quote_window(unit, wanted)
            gold.append(holds(case, unit.passage.file, unit.passage.text[start:end]))
            shown.append((unit.passage.file, unit.passage.text[start:end] if name in ("bbc", "seeds") else "", unit.position, unit.passage.ordinal))
        rows.append((case["id"], matrix, np.array(gold, dtype=float), shown, all(u.features["speaker"] > 0 for u in units)))
    return rows


def widen(rows: list) -> list:
    """Targets that also credit a unit next to the gold one (half as much): the quote window takes
    a close neighbour along, so landing next to the answer is nearly as good as landing on it."""
    whole = [FEATURES.index("statement"), FEATURES.index("speaker")]  # statements are quoted whole, never widened
    wide = []
    for case, x, y, shown, speaker in rows:
        where = {(file, position): i for i, (file, _, position, _) in enumerate(shown)}
        target = y.copy()
        for i, (file, _, position, _) in enumerate(shown):
            if y[i] and not x[i, whole].any():
                for step in (-1, 1):
                    j = where.get((file, position + step))
                    if j is not None and not x[j, whole].any():
                        target[j] = max(target[j], 0.5)
        wide.append((case, x, target, shown, speaker))
    return wide


def fit(groups: list[tuple[list, float]], l2: float, iterations: int = 400, rate: float = 0.5, fixed: np.ndarray | None = None) -> np.ndarray:
    """Weights maximising the softmax likelihood of the targets; ``fixed`` weights are added to
    every score as they are (the product's own rules) and the rest are fitted around them."""
    fixed = np.zeros(len(FEATURES)) if fixed is None else fixed
    weights = np.zeros(len(FEATURES))
    for _ in range(iterations):
        gradient = np.zeros_like(weights)
        for rows, share in groups:
            usable = [(x, y) for _, x, y, *_ in rows if len(y) and y.any()]
            part = np.zeros_like(weights)
            for x, y in usable:
                s = x @ (weights + fixed)
                p = np.exp(s - s.max())
                p /= p.sum()
                part += x.T @ (p - y / y.sum())
            gradient += share * part / max(1, len(usable))
        weights -= rate * (gradient + l2 * weights)
    return weights


def accuracy(rows: list, weights: np.ndarray, fixed: np.ndarray | None = None) -> tuple[int, int]:
    """Questions whose best unit holds the gold or stands next to it (a widened target)."""
    total = weights if fixed is None else weights + fixed
    right = sum(1 for _, x, y, *_ in rows if len(y) and y[int(np.argmax(x @ total))])
    return right, len(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="bbc,seeds,squad,polnear")
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--limit", type=int, default=None, help="cases per set (a quick look)")
    parser.add_argument("--l2", type=float, default=0.02)
    parser.add_argument("--news", type=float, default=3.0, help="weight of the news sets (BBC, seeds) against the others, for facts")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    data = {}
    for name in args.sets.split(","):
        cache = OUT / f"units-{name}.pickle"
        if args.fresh or not cache.exists():
            data[name] = dump(name, args.limit)
            cache.write_bytes(pickle.dumps(data[name]))
        else:
            data[name] = pickle.loads(cache.read_bytes())
    data = {name: widen(rows) for name, rows in data.items()}
    speaker_fixed = np.zeros(len(FEATURES))
    speaker_fixed[FEATURES.index("topic")] = SPEAKER_TOPIC
    for kind, label, news, fixed in ((False, "WEIGHTS", args.news, None), (True, "SPEAKER_WEIGHTS", 1.0, speaker_fixed)):
        chosen = {name: [r for r in rows if r[4] == kind] for name, rows in data.items()}
        print(f"== {label}: " + ", ".join(f"{name} {len(rows)}" for name, rows in chosen.items()))
        weights = report(chosen, args.l2, news, fixed)
        print(f"{label}: Mapping[str, float] = {{")
        for name, value in zip(FEATURES, weights):
            print(f'    "{name}": {value:.2f},')
        print("}")
    return 0


def report(data: dict[str, list], l2: float, news: float, fixed: np.ndarray | None) -> np.ndarray:
    """Fit on every set, print each set's accuracy and the BBC halves' cross-check; the weights."""
    bbc = data.get("bbc", [])
    halves = {h: [r for r in bbc if r[0].startswith(f"bbc-{h}")] for h in ("V1", "V2")}
    share = {"seeds": news}
    others = [(rows, share.get(name, 1.0)) for name, rows in data.items() if name != "bbc" and rows]
    everything = others + ([(bbc, news)] if bbc else [])
    weights = fit(everything, l2, fixed=fixed)
    for name, rows in data.items():
        print(f"{name:8s} fitted on all: {accuracy(rows, weights, fixed)}")
    if bbc:
        for held, train in (("V1", "V2"), ("V2", "V1")):
            w = fit(others + [(halves[train], news)], l2, fixed=fixed)
            print(f"bbc {held} with weights fitted without it: {accuracy(halves[held], w, fixed)}")
        if others:
            print(f"bbc with weights fitted on the other sets only: {accuracy(bbc, fit(others, l2, fixed=fixed), fixed)}")
    return weights
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
