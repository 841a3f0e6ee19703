"""Participants, eligibility, placements, monthly hours. Personal data lives here only."""
