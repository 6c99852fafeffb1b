"""Reads tallies: spreads, percentages, anonymity suppression, comparisons."""
