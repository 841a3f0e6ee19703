"""Tremplin: socially responsible purchasing, from a contract's clause to jobs."""
