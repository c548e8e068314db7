"""Each reported failure (FAILURES.md): break it, see the symptom, fix it, see it converge."""
