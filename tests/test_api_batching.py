"""Micro-batching of single-document requests (api/batching.py): documents that arrive while the scorer is busy are
scored together, each request gets its own record, and one failing document or one slow request costs no other."""

import asyncio
import time

import pytest

from assessqa.api.batching import MicroBatcher
from assessqa.api.limits import WorkLimits
from assessqa.api.problems import ProblemError
from assessqa.schemas import InputDocument


class StubScorer:
    """Returns each document's text as its 'record', after a pause; a text of "boom" fails."""

    def __init__(self, pause_s=0.05):
        self.pause_s = pause_s
        self.batches = []

    def score_batch(self, documents, where=None):
        self.batches.append(len(documents))
        time.sleep(self.pause_s)
        if any(d.text == "boom" for d in documents):
            raise RuntimeError("a bug")
        return [d.text for d in documents]

    def score(self, document, where="document"):
        return self.score_batch([document])[0]


def _run(coro):
    return asyncio.run(coro)


def test_requests_that_arrive_while_the_scorer_is_busy_are_scored_together():
    scorer = StubScorer()

    async def main():
        batcher = MicroBatcher(scorer, WorkLimits(threads=1, timeout_s=10), max_batch=16)
        first = asyncio.ensure_future(batcher.score(InputDocument(text="doc 0")))
        await asyncio.sleep(0.01)  # the first is being scored, alone: nothing waits for company
        rest = [batcher.score(InputDocument(text=f"doc {i}")) for i in range(1, 10)]
        return await asyncio.gather(first, *rest)

    assert _run(main()) == [f"doc {i}" for i in range(10)]
    assert scorer.batches == [1, 9]


def test_batches_never_exceed_the_limit():
    scorer = StubScorer()

    async def main():
        batcher = MicroBatcher(scorer, WorkLimits(threads=1, timeout_s=10), max_batch=4)
        return await asyncio.gather(*(batcher.score(InputDocument(text=f"doc {i}")) for i in range(10)))

    assert _run(main()) == [f"doc {i}" for i in range(10)]
    assert max(scorer.batches) <= 4 and sum(scorer.batches) == 10


def test_a_failing_document_fails_only_its_own_request():
    scorer = StubScorer(pause_s=0.01)

    async def main():
        batcher = MicroBatcher(scorer, WorkLimits(threads=1, timeout_s=10))
        texts = ["first", "a", "boom", "b"]
        return await asyncio.gather(*(batcher.score(InputDocument(text=t)) for t in texts), return_exceptions=True)

    first, a, boom, b = _run(main())
    assert (first, a, b) == ("first", "a", "b")
    assert isinstance(boom, RuntimeError)


def test_a_request_past_its_time_limit_is_answered_and_dropped_from_its_batch():
    scorer = StubScorer(pause_s=0.5)

    async def main():
        batcher = MicroBatcher(scorer, WorkLimits(threads=1, timeout_s=10), timeout_s=0.2)
        first = asyncio.ensure_future(batcher.score(InputDocument(text="slow")))
        await asyncio.sleep(0.01)
        late = asyncio.ensure_future(batcher.score(InputDocument(text="late")))
        results = await asyncio.gather(first, late, return_exceptions=True)
        await asyncio.sleep(0.6)  # the first batch ends; the batcher goes on without the late document
        return results

    results = _run(main())
    assert all(isinstance(r, ProblemError) and r.code == "timeout" for r in results)
    assert scorer.batches == [1]  # "late" timed out while it waited and was never scored


@pytest.fixture(scope="module")
def app_client(scorer):
    from fastapi.testclient import TestClient

    from assessqa.api.app import create_app
    from assessqa.config import Settings

    key = "tK7vQ2mX9pL4wR8nB3cF6hJ1sD5gZ0yA-Ue_Wi9Oq2M"
    with TestClient(create_app(Settings(api_keys=key, rate_limit_per_minute=0), scorer=scorer)) as client:
        yield client, {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize("concurrent", [1, 8])
def test_the_service_answers_each_request_with_its_own_record(app_client, concurrent):
    from concurrent.futures import ThreadPoolExecutor

    client, headers = app_client
    texts = [f"Amira (7) told me she is hungry at school. Visit number {i}. " * 3 for i in range(concurrent)]

    def post(i):
        r = client.post("/v1/score", json={"id": f"r{i}", "text": texts[i]}, headers=headers)
        return r.status_code, r.json()["id"]

    with ThreadPoolExecutor(concurrent) as pool:
        answers = list(pool.map(post, range(concurrent)))
    assert answers == [(200, f"r{i}") for i in range(concurrent)]


class StubProcesses:
    """Two 'processes' that return each document's text after a pause, recording the batches they were given."""

    count = 2

    def __init__(self):
        self.batches = []

    async def score(self, documents):
        self.batches.append(len(documents))
        await asyncio.sleep(0.05)
        return [d.text for d in documents]


def test_with_two_scoring_processes_requests_arriving_together_are_shared_between_them():
    processes = StubProcesses()

    async def main():
        batcher = MicroBatcher(StubScorer(), WorkLimits(threads=1, timeout_s=10), processes=processes)
        first = await asyncio.gather(*(batcher.score(InputDocument(text=f"doc {i}")) for i in range(8)))
        # One request alone goes to one process, unbatched, whatever the other is doing.
        alone = await batcher.score(InputDocument(text="alone"))
        return first, alone

    first, alone = _run(main())
    assert first == [f"doc {i}" for i in range(8)] and alone == "alone"
    assert processes.batches == [4, 4, 1]


def test_an_error_raised_in_a_scoring_process_reaches_the_service_as_itself_and_a_bug_without_its_message():
    import pickle

    from assessqa import errors
    from assessqa.api.processes import ScoringFailed, _portable

    refused = errors.InputError(errors.ErrorCode.EMPTY_TEXT, "request: the document text is empty")
    back = pickle.loads(pickle.dumps(_portable(refused)))
    assert type(back) is errors.InputError and back.code == refused.code and back.message == refused.message
    bug = pickle.loads(pickle.dumps(_portable(ValueError("Amira (7) said ..."))))
    assert isinstance(bug, ScoringFailed) and str(bug) == "ValueError"


def test_the_service_with_scoring_processes_returns_the_records_the_scorer_gives(scorer, corpus_splits):
    from concurrent.futures import ThreadPoolExecutor

    from fastapi.testclient import TestClient

    from assessqa.api.app import create_app
    from assessqa.config import Settings

    key = "tK7vQ2mX9pL4wR8nB3cF6hJ1sD5gZ0yA-Ue_Wi9Oq2M"
    docs = corpus_splits["test"][:6]
    settings = Settings(api_keys=key, rate_limit_per_minute=0, score_processes=2)
    with TestClient(create_app(settings, scorer=scorer)) as client:
        def post(doc):
            return client.post("/v1/score", json={"id": doc.id, "text": doc.text}, headers={"Authorization": f"Bearer {key}"})

        with ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(post, docs))
        batch = {"documents": [{"id": d.id, "text": d.text} for d in docs[:3]] + [{"id": "empty", "text": "  "}]}
        in_processes = client.post("/v1/score/batch", json=batch, headers={"Authorization": f"Bearer {key}"})
    assert [a.status_code for a in answers] == [200] * len(docs)
    for doc, answer in zip(docs, answers):
        expected = scorer.score(InputDocument(id=doc.id, text=doc.text), "request").model_dump(mode="json")
        assert answer.json() == expected
    # A batch request answers as the service without scoring processes does, its refused document included.
    with TestClient(create_app(Settings(api_keys=key, rate_limit_per_minute=0), scorer=scorer)) as client:
        on_threads = client.post("/v1/score/batch", json=batch, headers={"Authorization": f"Bearer {key}"})
    assert in_processes.status_code == on_threads.status_code == 200
    assert in_processes.json() == on_threads.json() and in_processes.json()["results"][3]["index"] == 3
