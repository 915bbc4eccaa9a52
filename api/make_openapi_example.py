"""Write the OpenAPI response example from what the shipped model really returns for the request example.

    python3 api/make_openapi_example.py      # after a model change; tests/test_api.py checks it is current
"""

from __future__ import annotations

import json

from assessqa.api.schemas import EXAMPLE_RESPONSE_FILE, SCORE_EXAMPLE
from assessqa.schemas import InputDocument
from assessqa.scoring import Scorer


def example_response() -> dict:
    record = Scorer.from_directory(None).score(InputDocument(**SCORE_EXAMPLE), "request")
    return json.loads(record.model_dump_json())


if __name__ == "__main__":
    EXAMPLE_RESPONSE_FILE.write_text(json.dumps(example_response(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {EXAMPLE_RESPONSE_FILE}")
