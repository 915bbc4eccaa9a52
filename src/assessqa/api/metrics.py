"""Prometheus metrics for one app: request counts and latencies, documents scored, the model version.

Every label takes values from a small fixed set (route templates, HTTP methods and statuses, document types,
error codes, the model version), so neither document text nor anything else a client chose can become a
label, and the number of series stays bounded.

Each app has its own registry, so several apps (in tests) do not collide. With ``--workers N`` each process
keeps its own figures and a scrape sees one worker; run one worker per container to scrape them all.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

METRICS_CONTENT_TYPE = CONTENT_TYPE_LATEST
KNOWN_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
# Scoring an ~800-word document takes about 0.1 s on one core; the buckets span a fast 404 to a timed-out batch.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class ServiceMetrics:
    """The service's metrics and the registry ``/metrics`` renders."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "assessqa_http_requests", "HTTP requests answered, by route template, method and status.",
            ["route", "method", "status"], registry=self.registry,
        )
        self.latency = Histogram(
            "assessqa_http_request_duration_seconds", "Time to answer a request, by route template, method and status.",
            ["route", "method", "status"], buckets=LATENCY_BUCKETS, registry=self.registry,
        )
        self.in_flight = Gauge("assessqa_http_requests_in_flight", "Requests being answered now.", registry=self.registry)
        self.documents = Counter(
            "assessqa_documents_scored", "Documents scored, by document type.", ["doc_type"], registry=self.registry,
        )
        self.refused = Counter(
            "assessqa_documents_refused", "Documents refused, by error code (E001 empty, E002 too long...).",
            ["code"], registry=self.registry,
        )
        self.model = Info("assessqa_model", "The model this process serves.", registry=self.registry)

    def set_model(self, model_version: str) -> None:
        self.model.info({"model_version": model_version})

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        method = method if method in KNOWN_METHODS else "OTHER"
        labels = (route, method, str(status))
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
