"""``critica eval`` against the usual baselines (``benchmarks``) and the readers
of the labelled datasets' layouts that training shares (``datasets``)."""
