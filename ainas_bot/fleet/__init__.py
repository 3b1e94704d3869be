"""The fleet as people look at it: where each office stands (`standing`), the expiry calendar (`calendar`) and
the metrics for Prometheus (`metrics`), made from a run or from the record alone."""
