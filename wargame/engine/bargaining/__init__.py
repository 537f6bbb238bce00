"""Bargaining: offer spaces, tables and their protocols, strategies, and the closed-form solutions."""
