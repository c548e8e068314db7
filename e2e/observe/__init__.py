"""Watches -> a timeline of what happened when; eventually() waits on a condition with a deadline."""
