"""The engine: the Mesa model and the parts it is made of (bargaining, commitment, ground, rules)."""
