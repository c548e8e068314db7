"""One module per reported failure (FAILURES.md), named after its scenario: its break, symptom, recovery and
the predicates particular to it. `common.py` holds what several share."""
