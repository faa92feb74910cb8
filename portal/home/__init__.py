"""The home board: what each role has to do today."""
