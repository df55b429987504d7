"""Context assets: brand, personas, campaign data, messaging, glossary."""
