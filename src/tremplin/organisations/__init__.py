"""Networks, organisations, users and memberships: who may see what."""
