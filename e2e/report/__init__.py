"""Artifacts, JUnit properties and the HTML report with the timeline picture."""
