"""A title's figures from its reviews: % positive, scores, histogram, aspects,
badges (``aggregate``), per-critic and per-publication calibration
(``calibration``) and the critics' consensus line (``consensus``)."""
