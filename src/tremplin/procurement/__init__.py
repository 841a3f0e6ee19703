"""Buyers' operations, contracts, lots and clauses; the obligation calculator."""
