"""Chat-export importers: pure parsers (``chatgpt``, ``claude``) over safe archive reading
(``archive``), one writing service (``writer``), and pattern mining (``mining``)."""
