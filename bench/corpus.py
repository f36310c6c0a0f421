"""Generate a deterministic corpus of synthetic design docs, with known defects.

    python bench/corpus.py N OUT --seed S [--today YYYY-MM-DD]
    python bench/corpus.py --self-test

writes `OUT/docs/<area>/<stem>.md` (N docs written from the built-in template:
front matter, the 17 sections in order, the footer) and `OUT/manifest.json`,
which lists every doc with the defects injected into it as expected
`{"rule", "line"}` pairs. About 30% of the docs carry exactly one defect; the
others are meant to be clean, i.e. to produce no diagnostic at all under
`designdoc check` run with `DESIGNDOC_TODAY` set to the corpus' today.

Same arguments, same bytes: every random choice comes from `random.Random`
seeded with strings derived from `--seed` (string seeds hash with SHA-512, so
PYTHONHASHSEED does not matter), nothing iterates a set, and "today" is an
argument with a fixed default rather than the clock. Stdlib only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_TODAY = "2026-11-27"
DEFECT_SHARE = 0.30

SECTIONS = (
    "Purpose",
    "Scope and Non-Goals",
    "Context and Constraints",
    "Architecture Overview",
    "Components",
    "Interfaces and Contracts",
    "Data Model",
    "Security and Privacy",
    "Reliability and Observability",
    "Capacity and Performance",
    "Failure Modes and Risks",
    "Alternatives",
    "Decision and Rationale",
    "Rollout and Operations",
    "Testing and Verification",
    "Open Questions",
    "Appendix",
)
GUIDANCE = {  # the template's guidance notes, for the section-placeholder defect
    "Context and Constraints": "Describe the current state, dependencies, and constraints "
    "(regulatory, technical, operational).",
    "Components": "Detail each major component, ownership, and responsibilities. Highlight new or modified services.",
    "Data Model": "Describe new or updated data models, including storage considerations and entity relationships.",
    "Security and Privacy": "Identify security controls, authn/authz flows, data classification, "
    "and privacy implications.",
    "Reliability and Observability": "Outline SLOs, SLIs, alerting strategy, telemetry coverage, "
    "and how the design maintains reliability targets.",
    "Capacity and Performance": "Document scaling assumptions, capacity planning inputs, "
    "and performance targets or benchmarks.",
}
# Other docs link to these anchors, so no defect removes them.
LINK_TARGETS = (
    "Interfaces and Contracts",
    "Decision and Rationale",
    "Rollout and Operations",
    "Failure Modes and Risks",
    "Alternatives",
)
PLAIN_SECTIONS = (
    "Context and Constraints",
    "Components",
    "Data Model",
    "Security and Privacy",
    "Reliability and Observability",
    "Capacity and Performance",
)
APPROVED_ON = ("approved", "implemented", "deprecated", "superseded")

AREAS = (
    "platform",
    "payments",
    "search",
    "identity",
    "data",
    "mobile",
    "infra",
    "observability",
    "billing",
    "messaging",
    "growth",
    "security",
)
SUBJECTS = (
    "rate limiter",
    "audit log",
    "search indexing pipeline",
    "event bus",
    "feature flag service",
    "billing ledger",
    "notification service",
    "session storage",
    "webhook delivery",
    "tenant isolation",
    "schema registry",
    "data retention",
    "access reviews",
    "secrets rotation",
    "deploy pipeline",
    "log ingestion",
    "metrics rollups",
    "payment retries",
    "invoice rendering",
    "image thumbnails",
    "mobile push",
    "offline sync",
    "single sign-on",
    "API pagination",
    "CDN cache invalidation",
    "backup and restore",
    "job scheduler",
    "email bounce handling",
    "fraud scoring",
    "usage metering",
    "config distribution",
    "service discovery",
    "blob storage tiering",
    "data export",
    "account deletion",
    "read replicas",
    "shard rebalancing",
    "cost allocation",
    "alert routing",
    "trace sampling",
)
QUALIFIERS = (
    "Tenant-aware",
    "Regional",
    "Multi-region",
    "Incremental",
    "Streaming",
    "Batch",
    "Self-serve",
    "Zero-downtime",
    "Cost-efficient",
    "Pluggable",
    "Unified",
    "Event-driven",
    "Sharded",
    "Cached",
    "Resilient",
    "Audited",
    "Versioned",
    "Asynchronous",
    "Policy-based",
    "Lightweight",
    "Idempotent",
    "Declarative",
    "Federated",
    "Encrypted",
    "Tiered",
    "Adaptive",
    "Quota-backed",
    "Observable",
    "Hybrid",
    "Serverless",
)
AUDIENCES = (
    "",
    "for the public API",
    "for enterprise tenants",
    "for mobile clients",
    "for internal tools",
    "in the EU region",
    "for partners",
    "for batch jobs",
    "for the checkout flow",
    "for support agents",
    "for the data warehouse",
    "across clusters",
)
COMPONENTS = (
    "ingest worker",
    "scheduler",
    "edge gateway",
    "policy engine",
    "quota service",
    "index builder",
    "query router",
    "event relay",
    "audit writer",
    "token service",
    "billing exporter",
    "cache warmer",
    "schema registry client",
    "notification fan-out",
    "reconciler",
    "flag evaluator",
    "session store",
    "webhook dispatcher",
    "compaction job",
    "admin console",
    "metrics collector",
    "retry queue",
    "config loader",
    "search frontend",
    "risk scorer",
    "ledger writer",
    "sync agent",
    "backfill runner",
)
STORES = (
    "Postgres",
    "Redis",
    "Kafka",
    "S3",
    "DynamoDB",
    "Cassandra",
    "ClickHouse",
    "Elasticsearch",
    "etcd",
    "BigQuery",
    "SQS",
    "Memcached",
)
TEAMS = (
    "platform team",
    "payments team",
    "search team",
    "identity team",
    "data platform team",
    "mobile team",
    "infrastructure team",
    "observability team",
    "billing team",
    "SRE team",
    "security team",
    "growth team",
)
METRICS = (
    "p99 latency",
    "error rate",
    "queue depth",
    "consumer lag",
    "cache hit ratio",
    "CPU saturation",
    "replication lag",
    "request throughput",
    "retry volume",
    "disk usage",
)
REGIONS = ("us-east", "us-west", "eu-central", "eu-west", "ap-south", "ap-northeast")
FIRST = (
    "priya",
    "daniel",
    "mei",
    "jonas",
    "amara",
    "lucas",
    "sofia",
    "kenji",
    "fatima",
    "noah",
    "elena",
    "omar",
    "ines",
    "tomasz",
    "grace",
    "ravi",
    "zoe",
    "mateo",
    "hana",
    "felix",
    "aisha",
    "leo",
)
LAST = (
    "raman",
    "okafor",
    "lin",
    "berg",
    "nwosu",
    "silva",
    "rossi",
    "tanaka",
    "haddad",
    "meyer",
    "petrova",
    "farouk",
    "garcia",
    "nowak",
    "kim",
    "iyer",
    "dubois",
    "alvarez",
    "sato",
    "wagner",
    "khan",
    "moreau",
)
DOMAINS = ("acme.io", "corp.acme.io", "globex.com", "initech.dev")
PEOPLE = ("Renée", "José", "Zoë", "Björn", "Ana", "Chidi", "Marek", "Søren", "Yuki", "Tanvir")
OPTIONS = (
    "Fixed-window counters",
    "Sidecar proxy",
    "Managed cloud service",
    "Single shared database",
    "Client-side retries",
    "Nightly batch export",
    "Polling instead of events",
    "Sticky sessions",
    "Synchronous replication",
    "Per-tenant clusters",
    "Do nothing",
    "Buy a vendor product",
    "Change data capture",
    "A cron-based sweeper",
    "Extend the monolith",
    "Push-based fan-out",
    "Consistent hashing",
    "A global lock",
    "Write-through cache",
    "Object storage only",
)
MERMAID_KINDS = ("flowchart", "sequenceDiagram", "stateDiagram-v2", "classDiagram", "erDiagram")
STATUS_WEIGHTS = (
    ("draft", 14),
    ("review", 10),
    ("approved", 28),
    ("implemented", 28),
    ("deprecated", 6),
    ("rejected", 7),
    ("withdrawn", 7),
)
MOJIBAKE = (("’", "â€™"), ("—", "â€”"), ("é", "Ã©"), ("“", "â€œ"))


# --------------------------------------------------------------------------- planning


@dataclass
class Plan:
    """What one doc is, decided before any text is written (so other docs can link to it)."""

    index: int
    area: str
    stem: str
    title: str
    subject: str
    status: str
    updated: dt.date
    options: list[str]
    supersedes: list[str] = field(default_factory=list)
    superseded_by: list[str] = field(default_factory=list)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (target stem, anchor, label)
    defect: str | None = None

    @property
    def path(self) -> str:
        """Return the doc's path relative to the corpus root."""
        return f"docs/{self.area}/{self.stem}.md"

    @property
    def in_chain(self) -> bool:
        """Return True when the doc is part of a supersede chain."""
        return bool(self.supersedes or self.superseded_by)


def slugify(text: str) -> str:
    """Return GitHub's anchor slug for a heading (lower case, punctuation dropped, spaces to '-')."""
    kept = re.sub(r"[^\w\- ]", "", text.lower())
    return kept.replace(" ", "-")


def rng_for(seed: int, *parts: object) -> random.Random:
    """Return a generator seeded by the corpus seed and `parts` (independent of generation order)."""
    return random.Random("/".join(str(p) for p in (seed, *parts)))


def weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    """Return one value of (value, weight) pairs."""
    return rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]


def unique_title(rng: random.Random, used: set[str]) -> tuple[str, str]:
    """Return a (title, subject) whose stem is not in `used` yet."""
    for attempt in range(40):
        subject = rng.choice(SUBJECTS)
        title = " ".join(p for p in (rng.choice(QUALIFIERS), subject, rng.choice(AUDIENCES)) if p)
        if attempt > 20:
            title += f" phase {attempt}"
        if slugify(title) not in used:
            return title, subject
    title = f"{title} {len(used)}"
    return title, subject


def plan_corpus(n: int, seed: int, today: dt.date) -> list[Plan]:
    """Decide every doc: area, title, status, date, supersede chains, links and defects."""
    rng = rng_for(seed, "plan")
    plans: list[Plan] = []
    used: set[str] = set()
    for i in range(n):
        successor_of = _pick_predecessor(rng, plans) if plans and rng.random() < 0.12 else None
        if successor_of is not None:
            plans.append(_successor(rng, i, successor_of, today, seed))
        else:
            title, subject = unique_title(rng, used)
            status = weighted(rng, STATUS_WEIGHTS)
            plans.append(
                Plan(
                    i,
                    rng.choice(AREAS),
                    slugify(title),
                    title,
                    subject,
                    status,
                    _date_for(rng, status, today),
                    _options(seed, slugify(title)),
                )
            )
        used.add(plans[-1].stem)
    by_stem = {p.stem: p for p in plans}
    for plan in plans:
        _plan_links(rng, plan, plans, by_stem)
    _plan_defects(rng, plans)
    return plans


def _options(seed: int, stem: str) -> list[str]:
    """Return the doc's alternatives (fixed by the stem, so other docs can link to them)."""
    rng = rng_for(seed, stem, "options")
    return rng.sample(OPTIONS, rng.randint(2, 4))


def _date_for(rng: random.Random, status: str, today: dt.date) -> dt.date:
    """Return a plausible last_updated: drafts and reviews are fresh (within 45 days)."""
    if status in ("draft", "review"):
        return today - dt.timedelta(days=rng.randint(0, 45))
    return today - dt.timedelta(days=rng.randint(20, 1100))


def _pick_predecessor(rng: random.Random, plans: list[Plan]) -> Plan | None:
    """Return an approved-or-later doc that nobody supersedes yet, or None."""
    candidates = [
        p for p in plans[-200:] if p.status in ("approved", "implemented", "deprecated") and not p.superseded_by
    ]
    return rng.choice(candidates) if candidates else None


def _successor(rng: random.Random, index: int, old: Plan, today: dt.date, seed: int) -> Plan:
    """Return a new doc superseding `old` (same folder, `-v2`, `-v3` …) and mark `old` superseded."""
    base = re.sub(r"-v\d+$", "", old.stem)
    generation = int(m.group(1)) + 1 if (m := re.search(r"-v(\d+)$", old.stem)) else 2
    stem = f"{base}-v{generation}"
    title = f"{re.sub(r' v[0-9]+$', '', old.title)} v{generation}"
    status = weighted(rng, (("review", 2), ("approved", 5), ("implemented", 5)))
    updated = max(_date_for(rng, status, today), old.updated)
    new = Plan(index, old.area, stem, title, old.subject, status, updated, _options(seed, stem), supersedes=[old.stem])
    old.status, old.superseded_by, old.updated = "superseded", [stem], updated
    return new


def _plan_links(rng: random.Random, plan: Plan, plans: list[Plan], by_stem: dict[str, Plan]) -> None:
    """Give a doc 1–3 links to other docs, to section anchors that always exist (or none)."""
    for ref in plan.supersedes + plan.superseded_by:
        plan.links.append((ref, "", by_stem[ref].title))
    for _ in range(rng.randint(1, 3)):
        other = plans[rng.randrange(len(plans))]
        if other is plan:
            continue
        choice = rng.random()
        if choice < 0.25:
            anchor = ""
        elif choice < 0.45:
            anchor = slugify(f"Option A: {other.options[0]}")
        else:
            anchor = slugify(rng.choice(LINK_TARGETS))
        plan.links.append((other.stem, anchor, other.title))


def _plan_defects(rng: random.Random, plans: list[Plan]) -> None:
    """Pick ~30% of the docs (outside supersede chains) and one defect kind for each."""
    free = [p for p in plans if not p.in_chain]
    count = min(len(free), round(DEFECT_SHARE * len(plans)))
    for plan in sorted(rng.sample(free, count), key=lambda p: p.index):
        plan.defect = rng.choice(sorted(DEFECTS))


# --------------------------------------------------------------------------- the doc model


@dataclass
class Section:
    """One section: its heading and its blocks (each a list of lines, blank lines between)."""

    name: str
    level: int
    blocks: list[list[str]]
    tight: bool = True  # content right under the heading, as the template does


@dataclass
class Doc:
    """A doc before rendering: front-matter lines, sections and the footer line."""

    front: list[str]
    sections: list[Section]
    footer: str

    def section(self, name: str) -> Section:
        """Return the section called `name`."""
        return next(s for s in self.sections if s.name == name)

    def lines(self) -> list[str]:
        """Return the doc's lines."""
        out = ["---", *self.front, "---", ""]
        for section in self.sections:
            out.append(f"{'#' * section.level} {section.name}")
            if not section.tight:
                out.append("")
            for i, block in enumerate(section.blocks):
                if i:
                    out.append("")
                out.extend(block)
            out.append("")
        out += ["---", "", self.footer]
        return out


class Writer:
    """Fills sentence templates for one doc; every `{slot}` is drawn on its own."""

    def __init__(self, rng: random.Random, plan: Plan):
        """Pick the doc's cast: components, stores, team, numbers."""
        self.rng, self.plan = rng, plan
        self.components = rng.sample(COMPONENTS, 5)
        self.stores = rng.sample(STORES, 3)
        self.team = rng.choice(TEAMS)
        self.used: set[str] = set()  # templates already said in this doc (membership only)

    def slot(self, name: str) -> str:
        """Return a value for one slot."""
        r = self.rng
        values: dict[str, Callable[[], str]] = {
            "component": lambda: r.choice(self.components),
            "store": lambda: r.choice(self.stores),
            "team": lambda: self.team,
            "other_team": lambda: r.choice(TEAMS),
            "metric": lambda: r.choice(METRICS),
            "region": lambda: r.choice(REGIONS),
            "system": lambda: self.plan.subject,
            "system_slug": lambda: slugify(self.plan.subject),
            "person": lambda: r.choice(PEOPLE),
            "n": lambda: str(r.randint(2, 60)),
            "big": lambda: f"{r.randint(2, 900) * 1000:,}",
            "ms": lambda: str(r.choice((5, 10, 20, 50, 100, 250, 500))),
            "pct": lambda: r.choice(("99.9", "99.95", "99.5", "99.99")),
            "days": lambda: str(r.choice((7, 14, 30, 90, 180, 365))),
        }
        return values[name]()

    def say(self, template: str) -> str:
        """Return `template` with its slots filled and its first letter in capitals."""
        text = re.sub(r"\{(\w+)\}", lambda m: self.slot(m.group(1)), template)
        return text[0].upper() + text[1:]

    def pick(self, pool: tuple[str, ...], low: int, high: int) -> list[str]:
        """Return `low`–`high` templates of `pool`, preferring ones this doc has not used yet."""
        fresh = [t for t in pool if t not in self.used] or list(pool)
        chosen = self.rng.sample(fresh, min(len(fresh), self.rng.randint(low, high)))
        self.used.update(chosen)
        return chosen

    def para(self, pool: tuple[str, ...], low: int = 2, high: int = 4) -> list[str]:
        """Return a one-line paragraph of `low`–`high` sentences drawn from `pool`."""
        return [" ".join(self.say(t) for t in self.pick(pool, low, high))]

    def bullets(self, pool: tuple[str, ...], low: int = 3, high: int = 5, marker: str = "-") -> list[str]:
        """Return a list of items drawn from `pool` (`1.` marker numbers them)."""
        items = [self.say(t) for t in self.pick(pool, low, high)]
        if marker == "1.":
            return [f"{i}. {item}" for i, item in enumerate(items, 1)]
        return [f"{marker} {item}" for item in items]


# --------------------------------------------------------------------------- prose pools

CONTEXT = (
    "Today the {system} runs as part of the {component}, which the {team} inherited two years ago.",
    "Every request currently waits on a synchronous call to {store}, which dominates the {metric}.",
    "In the last quarter we had {n} incidents where the {component} fell behind and paged the on-call engineer.",
    "The {other_team} depends on the current behaviour and cannot change its clients before next quarter.",
    "Traffic grew by {n}% since January and is expected to double again within a year.",
    "Regulatory requirements oblige us to keep records for {days} days and to delete them on request.",
    "The existing design predates multi-region deployments and assumes a single primary in {region}.",
    "Operators currently fix inconsistencies by hand with a script that nobody fully trusts.",
    "We already operate {store} and {store} in every region; adding a new datastore needs a separate review.",
    "Support receives about {n} tickets a week that trace back to this area.",
)
CONSTRAINTS = (
    "The change may add at most {ms} ms to {metric} at the 99th percentile.",
    "No new datastore may be introduced this half; {store} is already available.",
    "Existing API clients must keep working without a code change.",
    "Personal data must stay in the region where it was collected.",
    "The migration must be reversible until the final cut-over.",
    "On-call load for the {team} must not grow.",
    "The budget allows at most {n} additional instances per region.",
)
ARCH = (
    "Requests enter through the {component}, which validates them and hands them to the {component}.",
    "State lives in {store}; the {component} keeps a small in-memory view that it refreshes every {ms} ms.",
    "Writes are acknowledged once they reach {store}, and downstream consumers read them from {store}.",
    "The {component} is stateless and scales horizontally behind the load balancer.",
    "Each region runs an independent copy, and cross-region traffic is limited to asynchronous replication.",
    "Failures in the {component} degrade the feature instead of failing the request.",
    "Configuration is pushed by the {component} and cached locally, so a control-plane outage does not stop traffic.",
)
COMPONENT_DUTIES = (
    "owns the {store} schema and runs its migrations",
    "consumes events from {store} and applies them idempotently",
    "exposes the internal read API used by the {component}",
    "enforces per-tenant limits before any work is queued",
    "batches writes to {store} every {ms} ms",
    "publishes change events for downstream consumers",
    "reconciles drift between {store} and the source of truth nightly",
    "serves the admin views used by support engineers",
)
SECURITY = (
    "All traffic between components uses mutual TLS with certificates issued by the internal CA.",
    "Only the {component} holds credentials for {store}; other services go through its API.",
    "Data is classified as confidential; fields holding personal data are encrypted at rest with per-tenant keys.",
    "Access to the admin endpoints requires the `{system_slug}:admin` role and is written to the audit log.",
    "Tenant identifiers in logs and metrics are opaque ids, never customer names.",
    "Secrets are read from the vault at start-up and rotated every {days} days.",
    "The design stores no new personal data; it only references existing account ids.",
)
SECURITY_ITEMS = (
    "Authentication: service tokens issued by the token service, valid for {n} minutes.",
    "Authorisation: checked in the {component} against the tenant's policy.",
    "Retention: raw records are deleted after {days} days; aggregates are kept for reporting.",
    "Privacy review: completed with {person} from the privacy office.",
    "Threat model: replay and tenant confusion are the main risks; both are covered by request signing.",
)
RELIABILITY = (
    "SLO: {pct}% of requests succeed within {ms} ms, measured over 28 days.",
    "The {component} exports {metric}, {metric} and saturation metrics per region.",
    "Traces are sampled at 1% and at 100% for failed requests.",
    "Dashboards show the top tenants by {metric} and the backlog per partition.",
    "Alerts page the {team} when the error budget burn rate exceeds 14x for one hour.",
    "A ticket is opened when {metric} stays above its threshold for {n} minutes.",
    "Structured logs carry the request id, tenant id and the component version.",
)
CAPACITY = (
    "Peak load is about {big} requests per second, with a daily peak roughly {n} times the trough.",
    "Each {component} instance handles about {big} operations per second at 60% CPU.",
    "{store} holds about {n} GB per region today and grows by {n} GB per month.",
    "Load tests in staging sustained twice the expected peak without breaching the latency target.",
    "The design adds one network round trip on the write path and none on the read path.",
    "We plan headroom for {n} months of growth before the next capacity review.",
)
FAILURE_ROWS = (
    (
        "{store} unavailable in one region",
        "writes queue up in the {component}",
        "buffer for {n} minutes, then shed load",
    ),
    ("{component} crash loop", "requests fall back to the old path", "automatic rollback on failed health checks"),
    ("Poison message in {store}", "one partition stalls", "dead-letter after {n} attempts, alert the {team}"),
    ("Clock skew between hosts", "windows misalign", "use server time from {store}"),
    ("Bad configuration push", "a tenant is throttled wrongly", "config is versioned; revert in one command"),
    ("Dependency latency spike", "{metric} rises", "timeouts of {ms} ms and circuit breakers"),
    ("Region evacuation", "traffic doubles in {region}", "pre-scaled capacity and rate limits"),
)
REJECTION = (
    "It is simpler to build, but it puts a network round trip on the hot path.",
    "It would require migrating every client at once, which the {other_team} cannot staff this quarter.",
    "It does not meet the latency constraint in load tests ({ms} ms over budget at p99).",
    "Licensing and data-residency terms rule it out for EU tenants.",
    "It couples the {component} to {store} in a way that makes later migrations harder.",
    "It costs roughly {n} times more to operate at the expected volume.",
    "It leaves the current failure mode in place and only hides it from dashboards.",
)
DECISION = (
    "The chosen design keeps the hot path in memory and moves coordination off the request path.",
    "It reuses infrastructure the {team} already operates, so on-call load stays flat.",
    "The cost is eventual consistency of up to {ms} ms, which product has accepted.",
    "It can be rolled out per tenant and rolled back with a flag.",
    "Load tests showed it stays within the latency budget at twice the expected peak.",
)
ROLLOUT = (
    "Ship the {component} in shadow mode in {region} and compare results for one week.",
    "Enable the new path for internal tenants, then for 5% of traffic.",
    "Migrate the remaining tenants region by region, starting with {region}.",
    "Backfill historical records with the backfill runner at a capped rate.",
    "Remove the old code path after {days} days without a rollback.",
    "Hand over the runbook to the {team}, who own the on-call rotation.",
    "Announce the change to the {other_team} two weeks before enforcement.",
)
TESTING = (
    "Unit tests cover the {component} and the edge cases of the retry logic.",
    "Integration tests run the {component} against a real {store} in CI.",
    "A chaos test kills {store} during a load test to verify the degraded mode.",
    "Contract tests pin the event schema shared with the {other_team}.",
    "Load tests replay a day of production traffic at twice its volume.",
)
ACCEPTANCE = (
    "{metric} stays below its target at the expected peak in the load environment.",
    "No data loss when {store} is restarted during a backfill.",
    "The degraded mode activates within {n} seconds of a dependency failure.",
    "Rollback to the previous path takes under {n} minutes.",
    "Dashboards and alerts exist for every SLI named above.",
)
QUESTIONS = (
    ("Should limits be per tenant or per API key", "per tenant, with per-key limits later"),
    ("Do we need a separate cluster per region", "no, one cluster per region is enough for two years"),
    ("Who owns the runbook after launch", "the {team}"),
    ("Can we drop the legacy endpoint this year", "yes, after the last partner migrates in Q3"),
    ("Is {days} days of retention enough for audits", "legal confirmed it is"),
    ("Should the backfill run during business hours", "no, it runs overnight with a rate cap"),
    ("Do we expose the new metrics to customers", "read-only, in the usage dashboard"),
    ("Which serialization format do we use for events", "protobuf, with JSON for the admin API"),
)
CODE_SAMPLES = {
    "json": [
        "{{",
        '  "tenant_id": "t_{n}",',
        '  "limit_per_minute": {n}00,',
        '  "region": "{region}",',
        '  "expires_at": null',
        "}}",
    ],
    "yaml": [
        "{system_slug}:",
        "  replicas: {n}",
        "  timeout_ms: {ms}",
        "  store: {store}",
        "  regions: [{region}, {region}]",
    ],
    "sql": [
        "CREATE TABLE {table} (",
        "  id          BIGINT PRIMARY KEY,",
        "  tenant_id   TEXT NOT NULL,",
        "  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),",
        "  payload     JSONB",
        ");",
        "CREATE INDEX ON {table} (tenant_id, created_at);",
    ],
    "python": [
        "def should_admit(bucket, cost=1):",
        '    """Take `cost` tokens from the bucket if it has them."""',
        "    bucket.refill()",
        "    if bucket.tokens >= cost:",
        "        bucket.tokens -= cost",
        "        return True",
        "    return False  # TODO(ops): tune the cost per route class",
    ],
    "go": [
        "func (r *Relay) Publish(ctx context.Context, ev Event) error {{",
        "\tctx, cancel := context.WithTimeout(ctx, {ms}*time.Millisecond)",
        "\tdefer cancel()",
        "\treturn r.producer.Send(ctx, ev.Key(), ev.Bytes())",
        "}}",
    ],
    "bash": [
        "# replay one hour of traffic against staging",
        "./loadgen --target staging.{region} \\",
        "  --rate {n}00 --duration 1h --profile peak",
    ],
    "protobuf": [
        'syntax = "proto3";',
        "message QuotaChanged {{",
        "  string tenant_id = 1;",
        "  uint32 limit_per_minute = 2;",
        "  int64 changed_at = 3;  // FIXME in v2: use Timestamp",
        "}}",
    ],
    "http": [
        "GET /v1/{table}/t_{n} HTTP/1.1",
        "Accept: application/json",
        "",
        "HTTP/1.1 200 OK",
        "RateLimit-Remaining: {n}",
    ],
}


def code_block(w: Writer, lang: str) -> list[str]:
    """Return a fenced code block in `lang` (some carry TODO/FIXME, which designdoc must not report)."""
    table = w.plan.subject.replace(" ", "_").replace("-", "_") + "_records"
    lines = []
    for raw in CODE_SAMPLES[lang]:
        text = raw.replace("{system_slug}", slugify(w.plan.subject)).replace("{table}", table)
        lines.append(re.sub(r"\{(\w+)\}", lambda m: w.slot(m.group(1)), text).replace("{{", "{").replace("}}", "}"))
    fence = "~~~" if w.rng.random() < 0.15 else "```"
    return [f"{fence}{lang}", *lines, fence]


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """Return a Markdown table."""
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


# --------------------------------------------------------------------------- sections


def s_purpose(w: Writer) -> list[list[str]]:
    """Two or three sentences: the problem, what the design does, the bar it must meet."""
    p = w.plan
    first = w.say(
        w.rng.choice(
            (
                "The current {system} cannot keep up with growth, and failures in it reach customers directly.",
                "Teams keep rebuilding the {system} on their own, with different guarantees and no shared operations.",
                "Incidents in the {system} take hours to diagnose because its state is spread over "
                "{store} and {store}.",
            )
        )
    )
    second = f"This design describes the {p.title[0].lower() + p.title[1:]}, owned by the {w.team}."
    third = w.say("It must stay within {ms} ms of added latency and be safe to roll back at any stage.")
    return [[" ".join([first, second, third][: w.rng.randint(2, 3)])]]


def s_scope(w: Writer) -> list[list[str]]:
    """In-scope bullets, then the non-goals under one of several labels."""
    scope = (
        "A {component} that handles the {system} for every tenant.",
        "Migration of existing data from {store}.",
        "Metrics, alerts and a runbook for the {team}.",
        "An admin view for support engineers.",
        "Backwards-compatible APIs for current clients.",
        "Per-tenant configuration with safe defaults.",
    )
    non_goals = (
        "Replacing {store} for other services.",
        "Billing changes; pricing is out of this design.",
        "Mobile client changes, which the mobile team plans separately.",
        "A self-serve UI for customers.",
        "Cross-region strong consistency.",
    )
    label = w.rng.choice(("**Non-goals**", "Non-goals:", "Out of scope:", "### Non-goals"))
    return [["In scope:"], w.bullets(scope, 3, 5), [label], w.bullets(non_goals, 2, 3)]


def s_context(w: Writer) -> list[list[str]]:
    """Current state as prose, constraints as a list, sometimes a link to a related doc."""
    blocks = [w.para(CONTEXT, 3, 5), ["Constraints:"], w.bullets(CONSTRAINTS, 3, 5)]
    return blocks


def s_architecture(w: Writer) -> list[list[str]]:
    """Narrative, a Mermaid diagram of a varied type, one more paragraph."""
    return [w.para(ARCH, 2, 4), mermaid(w, w.rng.choice(MERMAID_KINDS)), w.para(ARCH, 1, 2)]


def mermaid(w: Writer, kind: str) -> list[str]:
    """Return a mermaid fence of diagram type `kind` over the doc's components."""
    c = [x.replace(" ", "_").replace("-", "_") for x in w.components]
    s = [x.lower() for x in w.stores]
    head = ["```mermaid"]
    if w.rng.random() < 0.15:
        head.append("%% generated from the service catalog")
    if kind == "flowchart":
        body = [
            f"flowchart {w.rng.choice(('LR', 'TD'))}",
            f'    client["Client"] --> {c[0]}',
            f"    {c[0]} --> {c[1]}",
            f'    {c[1]} -->|"write"| {s[0]}[("{w.stores[0]}")]',
            f"    {c[1]} -.->|async| {c[2]}",
            f'    {c[2]} --> {s[1]}[("{w.stores[1]}")]',
        ]
    elif kind == "sequenceDiagram":
        body = [
            "sequenceDiagram",
            f"    participant C as {c[0]}",
            f"    participant S as {c[1]}",
            f"    participant D as {w.stores[0]}",
            "    C->>S: request",
            "    S->>D: read state",
            "    D-->>S: state",
            "    S-->>C: response",
        ]
    elif kind == "stateDiagram-v2":
        body = [
            "stateDiagram-v2",
            "    [*] --> pending",
            "    pending --> active: validated",
            "    active --> suspended: limit reached",
            "    suspended --> active: window reset",
            "    active --> [*]",
        ]
    elif kind == "classDiagram":
        body = [
            "classDiagram",
            f"    class {c[0].title().replace('_', '')} {{",
            "      +handle(request)",
            "    }",
            f"    {c[0].title().replace('_', '')} --> {c[1].title().replace('_', '')}",
        ]
    else:
        body = ["erDiagram", "    TENANT ||--o{ QUOTA : has", '    QUOTA ||--o{ OVERRIDE : "may have"']
    return head + body + ["```"]


def s_components(w: Writer) -> list[list[str]]:
    """Each component with its owner and duties, as bullets or as sub-headings."""
    if w.rng.random() < 0.6:
        names = w.components[: w.rng.randint(3, 5)]
        return [
            [
                f"- **{name[0].upper() + name[1:]}** ({w.slot('other_team')}): {w.say(duty)}."
                for name, duty in zip(names, w.pick(COMPONENT_DUTIES, len(names), len(names)), strict=False)
            ]
        ]
    blocks: list[list[str]] = []
    for name, duty in zip(w.components[:3], w.pick(COMPONENT_DUTIES, 3, 3), strict=False):
        blocks.append([f"### {name[0].upper() + name[1:]}"])
        blocks.append([w.say(f"The {name} {duty}.") + " " + w.para(ARCH, 1, 1)[0]])
    return blocks


def s_interfaces(w: Writer) -> list[list[str]]:
    """An endpoint table, a compatibility note and a schema sample."""
    base = slugify(w.plan.subject)
    rows = [
        (f"`GET /v1/{base}/{{id}}`", "read one record", "stable"),
        (f"`POST /v1/{base}`", "create, idempotent with `Idempotency-Key`", "stable"),
        (f"`{base}.changed.v1`", "event published on every change", "new"),
    ]
    note = w.say(
        "Consumers must ignore unknown fields; a breaking change gets a new version and both "
        "versions run side by side for {days} days."
    )
    return [
        table(("interface", "purpose", "status"), rows[: w.rng.randint(2, 3)]),
        [note],
        code_block(w, w.rng.choice(("json", "protobuf", "http"))),
    ]


def s_data_model(w: Writer) -> list[list[str]]:
    """A table of entities and a DDL or config sample."""
    rows = [
        (f"`{slugify(w.plan.subject).replace('-', '_')}`", "id", w.slot("store"), "the primary record"),
        ("`tenant_override`", "tenant_id, key", w.slot("store"), "per-tenant settings"),
        ("`change_log`", "id, seq", w.slot("store"), f"kept for {w.slot('days')} days"),
    ]
    return [
        [w.say("The {component} owns the following entities:")],
        table(("entity", "key", "store", "notes"), rows),
        code_block(w, w.rng.choice(("sql", "yaml"))),
    ]


def s_security(w: Writer) -> list[list[str]]:
    """Controls as prose and a short list."""
    return [w.para(SECURITY, 2, 4), w.bullets(SECURITY_ITEMS, 2, 4)]


def s_reliability(w: Writer) -> list[list[str]]:
    """SLO, telemetry, alerting."""
    return [w.para(RELIABILITY, 1, 2), w.bullets(RELIABILITY, 3, 4)]


def s_capacity(w: Writer) -> list[list[str]]:
    """Numbers, sometimes a table and a little capacity math."""
    blocks = [w.para(CAPACITY, 2, 4)]
    if w.rng.random() < 0.5:
        blocks.append(
            table(
                ("dimension", "today", "in 12 months"),
                [("requests/s", w.slot("big"), w.slot("big")), ("storage", f"{w.slot('n')} GB", f"{w.slot('n')}0 GB")],
            )
        )
    else:
        blocks.append(code_block(w, w.rng.choice(("python", "go", "bash"))))
    return blocks


def s_failures(w: Writer) -> list[list[str]]:
    """A failure table and the rollback path."""
    rows = [tuple(w.say(c) for c in row) for row in w.rng.sample(FAILURE_ROWS, w.rng.randint(3, 5))]
    rollback = w.say(
        "Rollback: the {component} sits behind the `{system_slug}.enabled` flag; turning it off "
        "restores the previous path within {n} minutes."
    )
    return [table(("failure", "impact", "mitigation"), rows), [rollback]]


def s_alternatives(w: Writer) -> list[list[str]]:
    """Each option as an `### Option X: …` sub-heading with why it lost."""
    blocks: list[list[str]] = [[w.say("We compared the chosen design with the following options.")]]
    for letter, name in zip("ABCD", w.plan.options, strict=False):
        blocks.append([f"### Option {letter}: {name}"])
        blocks.append([" ".join(w.say(t) for t in w.rng.sample(REJECTION, 2))])
    return blocks


def s_decision(w: Writer) -> list[list[str]]:
    """The choice and its reasons, linking to the alternatives it beat."""
    options = w.plan.options
    link = f"[Option A](#{slugify(f'Option A: {options[0]}')})"
    return [
        [
            f"We chose the design described above over {link} and the other options. "
            + " ".join(w.say(t) for t in w.rng.sample(DECISION, 3))
        ]
    ]


def s_rollout(w: Writer) -> list[list[str]]:
    """Numbered rollout phases and the owner on call."""
    return [
        w.bullets(ROLLOUT, 3, 5, marker="1."),
        [w.say("The {team} owns the rollout; see [failure modes](#failure-modes-and-risks) for rollback.")],
    ]


def s_testing(w: Writer) -> list[list[str]]:
    """Test strategy, then acceptance criteria under one of several labels."""
    label = w.rng.choice(
        (
            "Acceptance criteria:",
            "**Acceptance criteria**",
            "### Acceptance criteria",
            "Exit criteria:",
            "Definition of done:",
        )
    )
    blocks = [w.para(TESTING, 2, 4), [label], w.bullets(ACCEPTANCE, 2, 4)]
    if w.rng.random() < 0.3:
        blocks.append(code_block(w, "bash"))
    return blocks


def s_questions(w: Writer) -> list[list[str]]:
    """Resolved questions once approved; some still open before that."""
    picked = w.rng.sample(QUESTIONS, w.rng.randint(2, 4))
    resolved_only = w.plan.status in APPROVED_ON
    items = []
    for i, (question, answer) in enumerate(picked):
        q, a = w.say(question), w.say(answer)
        if not resolved_only and i == 0:
            items.append(f"- [ ] {q}?")
        else:
            items.append(
                w.rng.choice(
                    (f"- [x] {q}? Resolved: {a}.", f"- [x] {q}? Resolved: {a}.", f"- ~~{q}?~~ {a[0].upper() + a[1:]}.")
                )
            )
    return [items]


def s_appendix(w: Writer) -> list[list[str]]:
    """Related docs (relative links with anchors), an external reference, sometimes a glossary."""
    blocks: list[list[str]] = []
    if w.plan.links:
        blocks.append(["Related designs:"])
        blocks.append(
            [f"- [{label}]({target}{'#' + anchor if anchor else ''})" for target, anchor, label in w.plan.links]
        )
    blocks.append(
        [
            w.say(
                "Load test results are attached to the review ticket; background reading: "
                "https://sre.google/sre-book/handling-overload/"
            )
        ]
    )
    if w.rng.random() < 0.3:
        blocks.append(
            table(("term", "meaning"), [("SLI", "service level indicator"), ("tenant", "a paying customer account")])
        )
    return blocks


WRITERS: dict[str, Callable[[Writer], list[list[str]]]] = {
    "Purpose": s_purpose,
    "Scope and Non-Goals": s_scope,
    "Context and Constraints": s_context,
    "Architecture Overview": s_architecture,
    "Components": s_components,
    "Interfaces and Contracts": s_interfaces,
    "Data Model": s_data_model,
    "Security and Privacy": s_security,
    "Reliability and Observability": s_reliability,
    "Capacity and Performance": s_capacity,
    "Failure Modes and Risks": s_failures,
    "Alternatives": s_alternatives,
    "Decision and Rationale": s_decision,
    "Rollout and Operations": s_rollout,
    "Testing and Verification": s_testing,
    "Open Questions": s_questions,
    "Appendix": s_appendix,
}


# --------------------------------------------------------------------------- front matter and assembly


def version_for(rng: random.Random, status: str) -> str:
    """Return a version fitting the status: at least 1.0.0 from approved on."""
    if status in APPROVED_ON:
        return f"{rng.randint(1, 3)}.{rng.randint(0, 12)}.{rng.randint(0, 9)}"
    return f"0.{rng.randint(1, 9)}.{rng.randint(0, 5)}"


def emails(rng: random.Random, count: int) -> list[str]:
    """Return `count` distinct plausible email addresses."""
    names = rng.sample([(first, last) for first in FIRST for last in LAST], count)
    domain = rng.choice(DOMAINS)
    return [f"{first}.{last}@{domain}" for first, last in names]


def yaml_list(rng: random.Random, key: str, values: list[str]) -> list[str]:
    """Return a YAML list, in block style mostly, in flow style sometimes."""
    if rng.random() < 0.2:
        return [f"{key}: [{', '.join(values)}]"]
    return [f"{key}:", *(f"  - {v}" for v in values)]


def front_matter(rng: random.Random, plan: Plan, version: str) -> list[str]:
    """Return the front-matter lines (between the `---` lines)."""
    lines = [
        f"title: {plan.title}",
        "doc_type: design_doc",
        f"status: {plan.status}",
        f'version: "{version}"' if rng.random() < 0.2 else f"version: {version}",
    ]
    lines += yaml_list(rng, "owners", emails(rng, rng.randint(1, 2)))
    if plan.status != "draft" and rng.random() < 0.7:
        lines += yaml_list(rng, "reviewers", emails(rng, rng.randint(1, 3)))
    if plan.status in APPROVED_ON and rng.random() < 0.6:
        lines += yaml_list(rng, "approvers", emails(rng, 1))
    lines.append(f"last_updated: {plan.updated.isoformat()}")
    pool = sorted(
        {"api", "reliability", "security", "data", "cost", "migration", "multi-tenancy", "latency", plan.area}
    )
    lines += yaml_list(rng, "tags", sorted(rng.sample(pool, 2)))
    if plan.supersedes:
        lines += yaml_list(rng, "supersedes", plan.supersedes)
    if plan.superseded_by:
        lines += yaml_list(rng, "superseded_by", plan.superseded_by)
    return lines


def relative_links(plan: Plan, by_stem: dict[str, Plan]) -> None:
    """Turn link targets (stems) into paths relative to the doc."""
    resolved = []
    for target, anchor, label in plan.links:
        other = by_stem[target]
        path = f"{other.stem}.md" if other.area == plan.area else f"../{other.area}/{other.stem}.md"
        resolved.append((path, anchor, label))
    plan.links = resolved


def build_doc(plan: Plan, seed: int) -> tuple[Doc, random.Random]:
    """Return the clean doc for `plan` and the generator to keep drawing from."""
    rng = rng_for(seed, plan.stem, "text")
    w = Writer(rng, plan)
    version = version_for(rng, plan.status)
    sections = []
    for i, name in enumerate(SECTIONS):
        sections.append(Section(name, 1 if i == 0 else 2, WRITERS[name](w), tight=rng.random() < 0.7))
    note = " (update before publishing)" if plan.status == "draft" and rng.random() < 0.5 else ""
    footer = f"_Last updated: {plan.updated.isoformat()}{note}_"
    return Doc(front_matter(rng, plan, version), sections, footer), rng


# --------------------------------------------------------------------------- defects
# Each defect edits the doc and returns (rule, locate): `locate(lines)` gives the 1-based line
# where designdoc must report it.

Locate = Callable[[list[str]], int]


def line_of(predicate: Callable[[str], bool]) -> Locate:
    """Return a locator for the first line matching `predicate`."""

    def locate(lines: list[str]) -> int:
        return next(i for i, line in enumerate(lines, 1) if predicate(line))

    return locate


def heading(name: str) -> Locate:
    """Return a locator for the heading of section `name`."""
    return line_of(lambda line: re.fullmatch(rf"#+ {re.escape(name)}", line) is not None)


def front_key(key: str) -> Locate:
    """Return a locator for the front-matter line starting with `key:`."""
    return line_of(lambda line: line.startswith(f"{key}:"))


def add_sentence(rng: random.Random, doc: Doc, sentence: str) -> Locate:
    """Append `sentence` to a random prose paragraph of a plain section; locate it."""
    section = doc.section(rng.choice(PLAIN_SECTIONS))
    doc_block = next(
        (
            b
            for b in section.blocks
            if len(b) == 1 and not b[0].startswith(("#", "|", "-", "`", "~")) and b[0].endswith(".")
        ),
        None,
    )
    if doc_block is None:
        section.blocks.append([sentence])
    else:
        doc_block[0] += " " + sentence
    return line_of(lambda line: sentence in line)


def d_section_missing(rng: random.Random, doc: Doc, plan: Plan, today: dt.date) -> tuple[str, Locate]:
    """Drop a plain section: reported at the next section's heading."""
    name = rng.choice(PLAIN_SECTIONS)
    i = [s.name for s in doc.sections].index(name)
    del doc.sections[i]
    return "section-missing", heading(doc.sections[i].name)


def d_section_placeholder(rng: random.Random, doc: Doc, plan: Plan, today: dt.date) -> tuple[str, Locate]:
    """Leave the template's guidance (alone, or above a first line of text)."""
    name = rng.choice(PLAIN_SECTIONS)
    section = doc.section(name)
    section.tight = True
    section.blocks = [[f"> {GUIDANCE[name]}"]] if rng.random() < 0.6 else [[f"> {GUIDANCE[name]}"], section.blocks[0]]
    return "section-placeholder", line_of(lambda line: line == f"> {GUIDANCE[name]}")


def d_footer_date(rng: random.Random, doc: Doc, plan: Plan, today: dt.date) -> tuple[str, Locate]:
    """Leave an older date in the footer."""
    old = plan.updated - dt.timedelta(days=rng.randint(1, 60))
    doc.footer = doc.footer.replace(plan.updated.isoformat(), old.isoformat())
    return "footer-date-mismatch", line_of(lambda line: line.startswith("_Last updated:"))


def d_bad_status(rng: random.Random, doc: Doc, plan: Plan, today: dt.date) -> tuple[str, Locate]:
    """Misspell the status."""
    typo = rng.choice(("aproved", "done", "accepted", "in-review", "Implemented", "drafted"))
    doc.front = [f"status: {typo}" if line.startswith("status:") else line for line in doc.front]
    doc.footer = doc.footer.replace(" (update before publishing)", "")
    return "field-value", front_key("status")


def d_owner_placeholder(rng: random.Random, doc: Doc, plan: Plan, today: dt.date) -> tuple[str, Locate]:
    """Keep the template's owner."""
    i = next(i for i, line in enumerate(doc.front) if line.startswith("owners:"))
    end = i + 1
    while end < len(doc.front) and doc.front[end].startswith("  - "):
        end += 1
    doc.front[i:end] = ["owners:", "  - TODO@example.com"]
    return "field-placeholder", line_of(lambda line: "TODO@example.com" in line)


def d_todo(rng: random.Random, doc: Doc, plan: Plan, today: dt.date) -> tuple[str, Locate]:
    """Leave a TODO/TBD/FIXME in prose."""
    marker = rng.choice(("TBD", "TODO", "FIXME"))
    sentence = rng.choice(
        (
            f"The retention period is {marker} until legal signs off.",
            f"{marker}: confirm the numbers with the capacity team.",
            f"Ownership of the dashboards is {marker}.",
        )
    )
    return "todo-marker", add_sentence(rng, doc, sentence)


def d_mojibake(rng: random.Random, doc: Doc, plan: Plan, today: dt.date) -> tuple[str, Locate]:
    """Put text decoded as cp1252 into prose."""
    good, bad = rng.choice(MOJIBAKE)
    sentence = {
        "’": "The team’s runbook covers the degraded mode.",
        "—": "Rollback is cheap — one flag.",
        "é": "The café-style naming was kept for the admin pages.",
        "“": "Support calls it the “slow lane” in tickets.",
    }[good]
    return "mojibake", add_sentence(rng, doc, sentence.replace(good, bad))


def d_link_broken(rng: random.Random, doc: Doc, plan: Plan, today: dt.date) -> tuple[str, Locate]:
    """Link to a doc that does not exist, or to an anchor no heading makes."""
    if rng.random() < 0.5:
        link = f"[the old design]({plan.stem}-legacy.md)"
    else:
        link = "[the rollout plan](#rollout-plan)"
    return "link-broken", add_sentence(rng, doc, f"See {link} for details.")


def d_section_order(rng: random.Random, doc: Doc, plan: Plan, today: dt.date) -> tuple[str, Locate]:
    """Move a plain section near the end (before Open Questions)."""
    name = rng.choice(PLAIN_SECTIONS)
    section = doc.section(name)
    doc.sections.remove(section)
    doc.sections.insert(len(doc.sections) - 2, section)
    return "section-order", heading(name)


def d_open_question(rng: random.Random, doc: Doc, plan: Plan, today: dt.date) -> tuple[str, Locate]:
    """Approve a doc with an open question left."""
    if plan.status not in APPROVED_ON:
        _restatus(rng, doc, plan, "approved")
    item = "- [ ] Should the quota apply per region as well?"
    doc.section("Open Questions").blocks[0].append(item)
    return "open-questions-unresolved", line_of(lambda line: line == item)


def d_future_date(rng: random.Random, doc: Doc, plan: Plan, today: dt.date) -> tuple[str, Locate]:
    """Date the doc (and its footer) after today."""
    future = today + dt.timedelta(days=rng.randint(2, 300))
    _redate(doc, plan, future)
    return "date-in-future", front_key("last_updated")


def d_stale(rng: random.Random, doc: Doc, plan: Plan, today: dt.date) -> tuple[str, Locate]:
    """A draft or review untouched for over 90 days."""
    if plan.status not in ("draft", "review"):
        _restatus(rng, doc, plan, rng.choice(("draft", "review")))
    _redate(doc, plan, today - dt.timedelta(days=rng.randint(95, 600)))
    return "stale", front_key("last_updated")


def d_mermaid(rng: random.Random, doc: Doc, plan: Plan, today: dt.date) -> tuple[str, Locate]:
    """Misspell the Mermaid diagram type."""
    typos = {
        "flowchart": "flowchat",
        "sequenceDiagram": "sequenceDiagramm",
        "stateDiagram-v2": "statediagram-v3",
        "classDiagram": "clasDiagram",
        "erDiagram": "erdiagramm",
    }
    block = next(b for b in doc.section("Architecture Overview").blocks if b[0] == "```mermaid")
    i = next(i for i, line in enumerate(block) if line.split(" ")[0] in typos)
    block[i] = typos[block[i].split(" ")[0]] + block[i][len(block[i].split(" ")[0]) :]
    wrong = block[i]
    return "mermaid-unknown-type", line_of(lambda line: line == wrong)


def d_purpose_long(rng: random.Random, doc: Doc, plan: Plan, today: dt.date) -> tuple[str, Locate]:
    """Five sentences of background under Purpose (the fourth is over the limit)."""
    block = doc.section("Purpose").blocks[0]
    extra = [
        "It also has to work for tenants in every region.",
        "Support needs to see the state of each tenant.",
        "Finance wants a monthly report.",
        "Nothing here changes the public pricing.",
    ]
    sentences = block[0].count(". ") + 1
    block[0] = " ".join([block[0], *extra[: 5 - sentences]])
    text = block[0]
    return "purpose-too-long", line_of(lambda line: line == text)


def d_non_goals(rng: random.Random, doc: Doc, plan: Plan, today: dt.date) -> tuple[str, Locate]:
    """Scope without non-goals."""
    section = doc.section("Scope and Non-Goals")
    section.blocks = section.blocks[:2]
    return "non-goals-missing", heading("Scope and Non-Goals")


def d_acceptance(rng: random.Random, doc: Doc, plan: Plan, today: dt.date) -> tuple[str, Locate]:
    """Testing without acceptance criteria."""
    section = doc.section("Testing and Verification")
    section.blocks = section.blocks[:1]
    return "acceptance-criteria-missing", heading("Testing and Verification")


def d_footer_note(rng: random.Random, doc: Doc, plan: Plan, today: dt.date) -> tuple[str, Locate]:
    """Keep the draft note in the footer past draft."""
    if plan.status == "draft":
        _restatus(rng, doc, plan, "review")
    if "(update before publishing)" not in doc.footer:
        doc.footer = doc.footer[:-1] + " (update before publishing)_"
    return "footer-draft-note", line_of(lambda line: line.startswith("_Last updated:"))


def d_hidden(rng: random.Random, doc: Doc, plan: Plan, today: dt.date) -> tuple[str, Locate]:
    """A bidi override in prose."""
    return "hidden-character", add_sentence(rng, doc, "The limit is set per tenant\u202e in the console.")


def d_reference(rng: random.Random, doc: Doc, plan: Plan, today: dt.date) -> tuple[str, Locate]:
    """Claim to supersede a doc that does not exist."""
    if plan.status not in ("approved", "implemented"):
        _restatus(rng, doc, plan, "approved")
    doc.front += ["supersedes:", f"  - {plan.stem}-v0"]
    return "reference-broken", line_of(lambda line: line == f"  - {plan.stem}-v0")


DEFECTS: dict[str, Callable[[random.Random, Doc, Plan, dt.date], tuple[str, Locate]]] = {
    "section-missing": d_section_missing,
    "section-placeholder": d_section_placeholder,
    "footer-date-mismatch": d_footer_date,
    "field-value": d_bad_status,
    "field-placeholder": d_owner_placeholder,
    "todo-marker": d_todo,
    "mojibake": d_mojibake,
    "link-broken": d_link_broken,
    "section-order": d_section_order,
    "open-questions-unresolved": d_open_question,
    "date-in-future": d_future_date,
    "stale": d_stale,
    "mermaid-unknown-type": d_mermaid,
    "purpose-too-long": d_purpose_long,
    "non-goals-missing": d_non_goals,
    "acceptance-criteria-missing": d_acceptance,
    "footer-draft-note": d_footer_note,
    "hidden-character": d_hidden,
    "reference-broken": d_reference,
}


def _restatus(rng: random.Random, doc: Doc, plan: Plan, status: str) -> None:
    """Change the doc's status, keeping version, date and open questions consistent with it."""
    plan.status = status
    version = version_for(rng, status)
    for i, line in enumerate(doc.front):
        if line.startswith("status:"):
            doc.front[i] = f"status: {status}"
        elif line.startswith("version:"):
            doc.front[i] = f"version: {version}"
    questions = doc.section("Open Questions")
    if status in APPROVED_ON:
        questions.blocks[0] = [
            line.replace("- [ ] ", "- [x] ").rstrip("?") + "? Resolved: yes." if line.startswith("- [ ]") else line
            for line in questions.blocks[0]
        ]
    if status != "draft":
        doc.footer = doc.footer.replace(" (update before publishing)", "")


def _redate(doc: Doc, plan: Plan, date: dt.date) -> None:
    """Set last_updated and the footer to `date`."""
    doc.front = [
        f"last_updated: {date.isoformat()}" if line.startswith("last_updated:") else line for line in doc.front
    ]
    doc.footer = doc.footer.replace(plan.updated.isoformat(), date.isoformat())
    plan.updated = date


# --------------------------------------------------------------------------- writing


def render(plan: Plan, seed: int, today: dt.date) -> tuple[str, list[dict[str, object]]]:
    """Return the doc's text and its expected diagnostics."""
    doc, rng = build_doc(plan, seed)
    expected = []
    locate = None
    if plan.defect is not None:
        rule, locate = DEFECTS[plan.defect](rng_for(seed, plan.stem, "defect"), doc, plan, today)
        expected.append({"rule": rule, "line": 0})
    lines = doc.lines()
    if locate is not None:
        expected[0]["line"] = locate(lines)
    return "\n".join(lines) + "\n", expected


def generate(n: int, out: Path, seed: int, today: dt.date) -> dict[str, object]:
    """Write the corpus and its manifest under `out`; return the manifest."""
    plans = plan_corpus(n, seed, today)
    by_stem = {p.stem: p for p in plans}
    for plan in plans:
        relative_links(plan, by_stem)
    docs = []
    for plan in plans:
        text, expected = render(plan, seed, today)
        path = out / plan.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        docs.append({"path": plan.path, "status": plan.status, "bytes": len(text.encode("utf-8")), "defects": expected})
    docs.sort(key=lambda d: str(d["path"]))
    manifest = {"generator": "bench/corpus.py", "seed": seed, "today": today.isoformat(), "count": n, "docs": docs}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def digest(root: Path) -> str:
    """Return a SHA-256 over every file's relative path and bytes under `root`."""
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def self_test() -> int:
    """Check determinism (same seed → same bytes, across processes), seed sensitivity and the corpus' shape."""
    today = dt.date.fromisoformat(DEFAULT_TODAY)
    with tempfile.TemporaryDirectory() as tmp:
        a, b, c = (Path(tmp) / x for x in "abc")
        manifest = generate(300, a, 7, today)
        # The same corpus from another process, with another string-hash seed.
        env = {**os.environ, "PYTHONHASHSEED": "12345"}
        subprocess.run(
            [sys.executable, __file__, "300", str(b), "--seed", "7", "--today", DEFAULT_TODAY],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        generate(300, c, 8, today)
        problems = []
        if digest(a) != digest(b):
            problems.append("same seed gave different bytes")
        if digest(a) == digest(c):
            problems.append("another seed gave the same bytes")
        docs = manifest["docs"]
        sizes = [d["bytes"] for d in docs]
        rules = {e["rule"] for d in docs for e in d["defects"]}
        share = sum(bool(d["defects"]) for d in docs) / len(docs)
        if len(rules) < 10:
            problems.append(f"only {len(rules)} defect rules")
        if not 0.25 <= share <= 0.35:
            problems.append(f"defect share {share:.2f}")
        if not 7000 <= statistics.median(sizes) <= 10000:
            problems.append(f"median size {statistics.median(sizes)}")
        if any(e["line"] < 1 for d in docs for e in d["defects"]):
            problems.append("an expected line is missing")
    for problem in problems:
        print(f"self-test: FAIL: {problem}")
    if not problems:
        print(
            f"self-test: ok (300 docs, same seed → same bytes, {len(rules)} defect rules, "
            f"{share:.0%} with a defect, median {statistics.median(sizes) / 1024:.1f} KiB)"
        )
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and write the corpus (or run the self-test)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, help="number of docs")
    parser.add_argument("out", nargs="?", type=Path, help="output folder")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", default=DEFAULT_TODAY, help=f"YYYY-MM-DD (default {DEFAULT_TODAY})")
    parser.add_argument("--self-test", action="store_true", help="check determinism and shape, then exit")
    args = parser.parse_args(argv)
    if args.self_test:
        return self_test()
    if args.n is None or args.out is None or args.n < 1:
        parser.error("N (≥ 1) and OUT are required")
    manifest = generate(args.n, args.out, args.seed, dt.date.fromisoformat(args.today))
    defects = sum(len(d["defects"]) for d in manifest["docs"])
    print(f"wrote {args.n} docs ({defects} injected defects) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
