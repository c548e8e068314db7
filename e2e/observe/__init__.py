"""Watches -> a timeline of what happened when; eventually() and consistently()."""
