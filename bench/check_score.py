"""Run the shared scorer on a prediction folder and fail under the project's bars.

Bars (issue 2): extraction score ≥ 0.85, every scored family ≥ 0.70, provenance = 1.00.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

OVERALL = 0.85
FAMILY = 0.70


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pred", required=True)
    ap.add_argument("--scorer", required=True)
    a = ap.parse_args()
    out = subprocess.run(
        [sys.executable, a.scorer, "--pred", a.pred, "--json"], check=True, capture_output=True, text=True
    ).stdout
    report = json.loads(out)
    failures = []
    for name, fam in report["families"].items():
        scored = fam["tp"] + fam["fp"] + fam["fn"] > 0
        print(f"{name:<14}P {fam['p']:.3f}  R {fam['r']:.3f}  F1 {fam['f1']:.3f}")
        if scored and fam["f1"] < FAMILY:
            failures.append(f"{name} F1 {fam['f1']:.3f} < {FAMILY}")
    prov = report["families"]["provenance"]
    if prov["fp"] or prov["f1"] < 1.0:
        failures.append(f"provenance {prov['f1']:.3f} < 1.00")
    print(f"extraction score: {report['overall']:.4f}")
    if report["overall"] < OVERALL:
        failures.append(f"extraction score {report['overall']:.4f} < {OVERALL}")
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
