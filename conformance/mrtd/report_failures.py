"""Which checks a `dasan passport verify` JSON report failed, against the expected ones.

    report_failures.py REPORT.json EXPECT     (EXPECT: none, dg1-hash, dg2-hash, expired, revoked)
"""
import json
import sys

report = json.load(open(sys.argv[1]))
failed = sorted(
    [k for k, v in report.items() if isinstance(v, dict) and v.get("status") == "failed"]
    + [f"dg{d['number']}-hash" for d in report["data_groups"] if d["result"]["status"] == "failed"]
)
want = sorted({
    "none": [],
    "dg1-hash": ["dg1-hash", "dg1_matches_printed_mrz"],
    "dg2-hash": ["dg2-hash"],
    "expired": ["signer_validity"],
    "revoked": ["revocation"],
}[sys.argv[2]])
print(f"verdict {report['verdict']}; failed: {', '.join(failed) or 'none'}")
if failed != want:
    sys.exit(f"expected failures: {want}")
