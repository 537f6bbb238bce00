"""Commitment: agreements, what keeps them (guarantees, deterrence, reputation) and what a breach costs."""
