"""Usage reports of the AI tools a team already pays for, imported as weekly per-person activity."""
