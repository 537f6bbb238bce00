"""Synthetic scenarios with K actors, written in the project's own YAML format, for growth benchmarks.

K actors, one evacuating; K/5 outposts on a ring road; one passage table per five actors (five
participants each) and one table with every actor over two linkage issues; events and milestones.
"""

from __future__ import annotations

from pathlib import Path

import yaml


def write_synthetic(folder: Path, actors: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "actors").mkdir(exist_ok=True)
    ids = [f"a{i:02d}" for i in range(actors)]
    issues = [
        {
            "id": "route",
            "kind": "ordinal",
            "levels": [
                {"id": "closed"},
                {
                    "id": "escorted",
                    "effects": [{"road_risk": {"held_by": ids[1], "multiply": 0.3}}],
                },
                {"id": "open", "effects": [{"road_risk": {"held_by": ids[1], "multiply": 0.1}}]},
            ],
        },
        {"id": "aid", "kind": "continuous", "range": [0, 100], "steps": 5},
        {
            "id": "recognition",
            "kind": "ordinal",
            "levels": [{"id": "none"}, {"id": "de_facto"}, {"id": "formal"}],
        },
    ]
    for i, a in enumerate(ids):
        profile = {
            "id": a,
            "name": f"Actor {i}",
            "interests": {
                "route": {
                    "ideal": "open" if i == 0 else ["closed", "escorted"][i % 2],
                    "salience": 0.5,
                },
                "aid": {"ideal": 100 if i % 3 else 0, "salience": 0.3},
                "recognition": {"ideal": ["none", "de_facto", "formal"][i % 3], "salience": 0.2},
            },
            "capabilities": {
                "military": 0.3 + 0.5 * ((i * 7) % 10) / 10,
                "economic": 0.5,
                "diplomatic": 0.5,
            },
            "time_pressure": 0.8 if i == 0 else 0.3,
            "trust": {b: 0.0 for b in ids if b != a},
            "strategy": {"name": ["linear", "conceder", "boulware"][i % 3]},
            "evacuates": i == 0,
            "priors": {
                "resolve": {"dist": "uniform", "low": 0.2, "high": 0.8, "source": "synthetic"},
                "reservation": {"dist": "uniform", "low": 0.2, "high": 0.4, "source": "synthetic"},
                "breach_temptation": {"dist": "beta", "a": 2, "b": 8, "source": "synthetic"},
            },
        }
        (folder / "actors" / f"{a}.yaml").write_text(yaml.safe_dump(profile, sort_keys=False))
    outposts = max(1, actors // 5)
    sites = [
        {
            "id": "hub",
            "name": "Hub",
            "kind": "air_base",
            "lat": 35.0,
            "lon": 36.0,
            "personnel": 1000,
            "garrison": ids[0],
            "controller": ids[1],
            "airfield": True,
        }
    ]
    roads = []
    for k in range(outposts):
        sites.append(
            {
                "id": f"post{k}",
                "name": f"Post {k}",
                "kind": "outpost",
                "lat": 35.5,
                "lon": 36.0 + k * 0.1,
                "personnel": 80,
                "equipment_t": 10,
                "garrison": ids[0],
                "controller": ids[1 + k % (actors - 1)],
            }
        )
        roads.append(
            {
                "id": f"r{k}",
                "from": f"post{k}",
                "to": "hub" if k == 0 else f"post{k - 1}",
                "km": 120,
                "held_by": ids[1 + k % (actors - 1)],
                "base_risk": 0.1,
            }
        )
    tables = []
    for t in range(0, actors, 5):
        members = ids[t : t + 5] if t else ids[:5]
        if ids[0] not in members:
            members = [ids[0], *members[1:]]
        if len(members) >= 2:
            tables.append(
                {
                    "id": f"passage{t // 5}",
                    "participants": members,
                    "agenda": ["route", "aid"],
                    "deadline_day": 30,
                }
            )
    tables.append(
        {
            "id": "linkage",
            "participants": ids,
            "agenda": ["aid", "recognition"],
            "rule": {"threshold": 0.6, "weights": "capability"},
            "deadline_day": 45,
        }
    )
    scenario = {
        "id": f"synthetic_{actors}",
        "title": f"Synthetic crisis with {actors} actors",
        "start_date": "2024-12-08",
        "horizon_days": 60,
        "actors": [{"profile": a} for a in ids],
        "issues": issues,
        "sites": sites,
        "roads": roads,
        "air_routes": [{"id": "home", "from": "hub", "to": "home", "km": 4000}],
        "aircraft": [
            {
                "type": "lifter",
                "operator": ids[0],
                "count": 4,
                "payload_personnel": 100,
                "payload_t": 40,
                "sorties_per_day": {"home": 0.5},
            }
        ],
        "tables": tables,
        "events": [
            {
                "id": "raid",
                "hazard": 0.05,
                "when": [{"no_agreement": tables[0]["id"]}],
                "effects": [{"casualties": {"site": "hub", "personnel": 3}}],
                "narrative": "A raid.",
            }
        ],
        "milestones": [
            {"id": "passage", "label": "Passage agreed", "when": [{"agreement": tables[0]["id"]}]},
            {"id": "cleared", "label": "Cleared", "when": [{"interior_cleared": True}]},
        ],
        "outcomes": [
            {"id": "clean", "label": "Clean exit", "when": [{"interior_cleared": True}]},
            {"id": "stuck", "label": "Stuck"},
        ],
    }
    path = folder / f"synthetic_{actors}.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    return path
