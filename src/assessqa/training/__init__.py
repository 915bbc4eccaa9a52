"""Training, evaluation and corpus code: used by ``assessqa train``, ``evaluate`` and ``annotations`` and the
scripts in training/, never imported on the scoring path (``assessqa score``, the service)."""
