"""Training code for critica's shipped models (needs torch; not part of the runtime)."""
