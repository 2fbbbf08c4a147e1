"""Locust users for bench/load.py: critics posting reviews while readers browse and search.

Configured by environment (bench/load.py sets it): CRITICA_LOAD_TOKEN, CRITICA_LOAD_TITLE,
CRITICA_LOAD_SENT (a file where every accepted review is recorded, to count afterwards).
"""

from __future__ import annotations

import json
import os
import random
import uuid

from locust import HttpUser, between, task

TOKEN = os.environ.get("CRITICA_LOAD_TOKEN", "")
TITLE = os.environ.get("CRITICA_LOAD_TITLE", "1")
SENT = open(os.environ.get("CRITICA_LOAD_SENT", os.devnull), "a", encoding="utf-8")  # noqa: SIM115
WORDS = ["tender", "tedious", "gorgeous", "muddled", "sharp", "lazy", "moving", "overlong"]
TERMS = ["acting", "ending", "script", '"quoted" NEAR(', "'; DROP TABLE reviews; --", "cast*"]


class Visitor(HttpUser):
    wait_time = between(0.05, 0.25)

    @task(2)
    def post_review(self) -> None:
        text = (
            f"A {random.choice(WORDS)} film (load {uuid.uuid4().hex}); the cast is "
            f"{random.choice(WORDS)} and the ending {random.choice(WORDS)}."
        )
        body = {
            "title_id": int(TITLE),
            "text": text,
            "critic": f"Load Critic {random.randint(1, 40)}",
        }
        with self.client.post(
            "/api/v1/reviews",
            json=body,
            headers={"Authorization": f"Bearer {TOKEN}"},
            name="POST /api/v1/reviews",
            catch_response=True,
        ) as r:
            if r.status_code in (200, 201):
                SENT.write(json.dumps({"id": r.json()["id"], "text": text}) + "\n")
                SENT.flush()
            else:
                r.failure(f"{r.status_code}: {r.text[:200]}")

    @task(4)
    def title_figures(self) -> None:
        self.client.get(f"/api/v1/titles/{TITLE}", name="GET /api/v1/titles/{id}")

    @task(3)
    def title_reviews(self) -> None:
        self.client.get(
            f"/api/v1/titles/{TITLE}/reviews?limit=20&offset={random.randint(0, 50)}",
            name="GET /api/v1/titles/{id}/reviews",
        )

    @task(2)
    def search(self) -> None:
        self.client.get(f"/api/v1/search?q={random.choice(TERMS)}", name="GET /api/v1/search")

    @task(1)
    def title_page(self) -> None:
        self.client.get(f"/titles/{TITLE}", name="GET /titles/{id} (HTML)")
