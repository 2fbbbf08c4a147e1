"""The ``critica`` command line (``commands``) and its terminal views (``render``)."""
