"""A score as JSON-ready data and back: what the CLI and API print and the snapshots keep."""

from __future__ import annotations

from typing import Any

from .score import Action, Component, Score


def score_document(score: Score) -> dict[str, Any]:
    """The score as JSON-ready data: what the CLI, the API and the snapshots store."""
    return {
        "total": score.total,
        "components": [
            {
                "key": c.key,
                "weight": c.weight,
                "points": c.points,
                "status": c.status,
                "evidence": c.evidence,
                "actions": [
                    {
                        "code": a.code,
                        "points": a.points,
                        "target": a.target,
                        "params": a.params,
                        "up_to": a.up_to,
                    }
                    for a in c.actions
                ],
            }
            for c in score.components
        ],
    }


def score_from_document(document: dict[str, Any], site: str = "") -> Score:
    """The inverse of `score_document`, for scores kept in snapshots."""
    components = tuple(
        Component(
            key=c["key"],
            weight=c["weight"],
            points=c["points"],
            status=c["status"],
            evidence=c["evidence"],
            actions=tuple(
                Action(a["code"], a["points"], a["target"], a["params"], a["up_to"])
                for a in c["actions"]
            ),
        )
        for c in document["components"]
    )
    return Score(total=document["total"], components=components, site=site)
