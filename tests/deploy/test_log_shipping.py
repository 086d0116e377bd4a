"""Logstash, Elasticsearch and Kibana files against the log lines Storybot really writes.

None of the three programs can be installed here, so each file is read and
every field it uses is checked against the lines of a real ``storybot serve``
that lived through a day's kinds of requests (and an in-process app whose route
crashed, for the error fields a stack trace brings): every line is JSON, every
field Logstash would send is mapped by the index template with a type that
takes its value, every field the pipeline and Kibana's saved objects name is in
the lines, Kibana's queries (run here on the lines) find what they promise, and
the trace id a caller got back finds that request's lines.
"""

from __future__ import annotations

import fnmatch
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import yaml

from storybot.config import Settings
from storybot.observability.logs import (
    LOG_FILE_BACKUPS,
    EcsFormatter,
    JsonLogFile,
    configure_logging,
)
from tests.deploy import kuery
from tests.deploy.conftest import DEPLOY
from tests.deploy.log_documents import flatten, ship, template_fields, type_problem
from tests.deploy.logstash_config import Plugin, field_references, read_pipeline
from tests.support import (
    TEST_PASSWORD,
    LiveServer,
    admin_client,
    build_app,
    free_port,
    make_settings,
)

PIPELINE = DEPLOY / "logstash" / "storybot.conf"
TEMPLATE = DEPLOY / "elasticsearch" / "index-template.json"
SAVED_OBJECTS = DEPLOY / "kibana" / "storybot.ndjson"
SERVER_DATA_DIR = Path("/var/lib/storybot")  # the layout every deployment piece shares
# Mapped, though no healthy line has it: Logstash tags a line it cannot parse as JSON.
MAPPED_FOR_FAILURES = {"tags"}


@dataclass
class Day:
    """The log lines of a day's requests, and the trace ids the answers carried."""

    raw_lines: list[str] = field(default_factory=list)
    traces: dict[str, str] = field(default_factory=dict)

    @property
    def lines(self) -> list[dict[str, Any]]:
        """Each line, parsed."""
        return [json.loads(line) for line in self.raw_lines]


def _a_day_on_a_server(tmp_path: Path, day: Day) -> None:
    server = LiveServer(tmp_path).start()
    try:
        url, session = server.url, server.session

        def traced(name: str, response: requests.Response, status: int) -> requests.Response:
            assert response.status_code == status, (name, response.status_code, response.text)
            day.traces[name] = response.headers["X-Trace-Id"]
            return response

        down = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens: the engine fails
        engines = {
            "local": {"type": "local"},
            "fake": {"type": "fake"},
            "down": {"type": "openai", "base_url": down, "model": "none", "connect_timeout": 1},
        }
        settings = {"engines": engines, "default_engine": "fake"}
        traced("settings", session.patch(f"{url}/api/settings", json=settings, timeout=5), 200)
        traced("list", session.get(f"{url}/api/prompts", timeout=5), 200)
        traced(
            "create",
            session.post(
                f"{url}/api/prompts",
                json={"content": "A fox who sings"},
                headers={"X-Trace-Id": "day-create-prompt"},
                timeout=5,
            ),
            201,
        )
        traced("not found", session.get(f"{url}/api/stories/999999", timeout=5), 404)
        bad = session.post(
            f"{url}/api/prompts",
            data="{not json",
            headers={"Content-Type": "application/json"},
            timeout=5,
        )
        traced("bad json", bad, 400)
        done = traced(
            "story", session.post(f"{url}/api/stories", json={"prompt": "A fox"}, timeout=5), 202
        )
        assert server.ended_story(done.json()["id"])["status"] == "done"
        failed = session.post(
            f"{url}/api/stories", json={"prompt": "A fox", "engine": "down"}, timeout=5
        )
        traced("failed story", failed, 202)
        assert server.ended_story(failed.json()["id"])["status"] == "failed"
        sign_in = {"email": "admin@example.com", "password": TEST_PASSWORD}
        traced("sign in", requests.post(f"{url}/api/auth/login", json=sign_in, timeout=5), 200)
        wrong = {"email": "admin@example.com", "password": "not the password"}
        traced("wrong password", requests.post(f"{url}/api/auth/login", json=wrong, timeout=5), 401)
    finally:
        server.stop()  # its last lines too: the workers' and the server's goodbyes
    day.raw_lines += server.log_file.read_text(encoding="utf-8").splitlines()


def _a_crash_in_process(tmp_path: Path, day: Day) -> None:
    """An unexpected error: the line with error.type, error.message, error.stack_trace."""
    app = build_app(make_settings(tmp_path))

    @app.get("/api/explode")
    def explode() -> str:
        raise ValueError("the reason")

    log_file = tmp_path / "logs" / "crash.log"
    configure_logging(log_file, terminal=False)
    try:
        response = admin_client(app).get("/api/explode", headers={"X-Trace-Id": "day-of-a-crash"})
        assert response.status_code == 500
        day.traces["crash"] = response.headers["X-Trace-Id"]
    finally:
        configure_logging(None, terminal=False)
    day.raw_lines += log_file.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Day:
    """The lines of one server run and one crash."""
    found = Day()
    _a_day_on_a_server(tmp_path_factory.mktemp("server"), found)
    _a_crash_in_process(tmp_path_factory.mktemp("crash"), found)
    return found


@pytest.fixture(scope="module")
def pipeline() -> list[Plugin]:
    """The Logstash pipeline, read."""
    return read_pipeline(PIPELINE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    """The index template's body."""
    body: dict[str, Any] = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    return body


@pytest.fixture(scope="module")
def field_types(template: dict[str, Any]) -> dict[str, str]:
    """The mapped fields, dotted path -> type."""
    return template_fields(template["template"]["mappings"])[0]


@pytest.fixture(scope="module")
def documents(day: Day, pipeline: list[Plugin]) -> list[dict[str, Any]]:
    """What Logstash sends to Elasticsearch for each line."""
    return [ship(line, pipeline) for line in day.raw_lines]


@pytest.fixture(scope="module")
def saved_objects() -> dict[tuple[str, str], dict[str, Any]]:
    """Kibana's saved objects by (type, id)."""
    objects: dict[tuple[str, str], dict[str, Any]] = {}
    for number, line in enumerate(SAVED_OBJECTS.read_text(encoding="utf-8").splitlines(), 1):
        item = json.loads(line)
        key = (item["type"], item["id"])
        assert key not in objects, f"line {number}: {key} twice"
        objects[key] = item
    return objects


def _line_fields(day: Day) -> set[str]:
    return {path for line in day.lines for path in flatten(line)}


def _the(pipeline: list[Plugin], section: str, name: str) -> Plugin:
    (found,) = [p for p in pipeline if p.section == section and p.name == name]
    return found


def _data_stream(pipeline: list[Plugin]) -> str:
    out = _the(pipeline, "output", "elasticsearch").settings
    assert str(out["data_stream"]) == "true"
    return f"{out['data_stream_type']}-{out['data_stream_dataset']}-{out['data_stream_namespace']}"


# The lines themselves ----------------------------------------------------------------


def test_the_day_wrote_every_kind_of_line(day: Day) -> None:
    lines = day.lines  # every line is JSON (json.loads raises otherwise)
    loggers = {line["log"]["logger"] for line in lines}
    assert {"storybot.access", "storybot.jobs.writing", "gunicorn.error"} <= loggers
    statuses = {flatten(line).get("http.response.status_code") for line in lines}
    assert {200, 201, 202, 400, 401, 404, 500} <= statuses
    assert any("error.stack_trace" in flatten(line) for line in lines)


def test_every_field_logstash_sends_is_mapped_with_a_type_that_takes_it(
    template: dict[str, Any], documents: list[dict[str, Any]]
) -> None:
    leaves, dynamic = template_fields(template["template"]["mappings"])
    assert dynamic[""] == "strict"  # an unmapped field is refused: this test must see them all
    problems = set()
    for document in documents:
        for path, value in document.items():
            if path not in leaves:
                problems.add(f"{path} is not mapped")
            elif problem := type_problem(leaves[path], value):
                problems.add(f"{path} ({leaves[path]}): {problem}")
    assert not problems, sorted(problems)
    constant = {p for p, kind in leaves.items() if kind == "constant_keyword"}
    for path in constant:  # one value per data stream, or Elasticsearch refuses the next
        assert len({d[path] for d in documents}) == 1, path


def test_every_mapped_field_is_one_a_line_or_logstash_writes(
    field_types: dict[str, str], documents: list[dict[str, Any]]
) -> None:
    sent = {path for document in documents for path in document}
    multi_fields = {p for p in field_types if p.rsplit(".", 1)[0] in field_types}
    unused = set(field_types) - sent - multi_fields - MAPPED_FOR_FAILURES
    assert not unused, f"mapped but never written: {sorted(unused)}"


# Logstash ------------------------------------------------------------------------------


def test_the_pipeline_reads_the_apps_log_file_and_follows_its_rotation(
    pipeline: list[Plugin], tmp_path: Path
) -> None:
    source = _the(pipeline, "input", "file").settings
    assert source["codec"] == "json"
    assert source["mode"] == "tail"
    assert source["start_position"] == "beginning"  # a file first seen is read whole
    paths = source["path"] if isinstance(source["path"], list) else [source["path"]]
    default_log = Settings(data_dir=SERVER_DATA_DIR).log_file
    assert default_log is not None
    assert paths[0] == str(default_log)
    # The app's own rotating handler, with a small size: every file it leaves is watched.
    handler = JsonLogFile(tmp_path / default_log.name, maxBytes=300, backupCount=LOG_FILE_BACKUPS)
    handler.setFormatter(EcsFormatter())
    for n in range(20):
        handler.emit(logging.makeLogRecord({"msg": f"line {n}", "levelname": "INFO", "name": "t"}))
    handler.close()
    written = sorted(p.name for p in tmp_path.iterdir())
    assert len(written) == 1 + LOG_FILE_BACKUPS, written  # it did rotate

    def watched(name: str) -> bool:
        return any(fnmatch.fnmatchcase(str(default_log.parent / name), p) for p in paths)

    assert all(watched(name) for name in written), written
    # Each queue worker unit writes a log of its own (storybot-worker@N): read too.
    unit = (DEPLOY / "systemd" / "storybot-worker@.service").read_text()
    worker_log = re.search(r"^Environment=STORYBOT_LOG_FILE=(\S+)$", unit, re.MULTILINE)
    assert worker_log, "the worker unit names its log file"
    in_folder = str(Path(worker_log[1]).relative_to(default_log.parent))  # the same folder
    for name in (in_folder.replace("%i", n) + end for n in "17" for end in ("", ".1")):
        assert watched(name), name
    assert not watched("serve-output.log")  # the output of a server the fabfile starts
    sincedb = Path(source["sincedb_path"])
    assert sincedb.is_absolute()
    assert str(sincedb) != "/dev/null"
    assert default_log.parent not in sincedb.parents  # the app's folder is not Logstash's


def test_every_field_the_pipeline_names_is_in_the_lines(day: Day, pipeline: list[Plugin]) -> None:
    known = _line_fields(day) | {"event.original"}  # what the json codec adds
    named = [
        ref
        for plugin in pipeline
        for value in plugin.settings.values()
        for ref in field_references(value)
    ]
    named += [
        ref for plugin in pipeline for key in plugin.settings for ref in field_references(key)
    ]
    assert named, "the reader found no field reference"
    assert set(named) <= known, set(named) - known


def test_the_pipeline_writes_to_the_data_stream_the_template_and_the_data_view_name(
    pipeline: list[Plugin], template: dict[str, Any], saved_objects: dict
) -> None:
    stream = _data_stream(pipeline)
    assert stream == "logs-storybot-default"
    assert "data_stream" in template
    assert any(fnmatch.fnmatchcase(stream, p) for p in template["index_patterns"])
    assert template["priority"] > 100  # above Elasticsearch's own logs-*-* template
    view = saved_objects[("index-pattern", "storybot-logs")]["attributes"]
    assert fnmatch.fnmatchcase(stream, view["title"])
    out = _the(pipeline, "output", "elasticsearch").settings
    elastic = yaml.safe_load((DEPLOY / "elasticsearch" / "elasticsearch.yml").read_text())
    hosts = [urlsplit(host) for host in out["hosts"]]
    assert [(h.hostname, h.port) for h in hosts] == [("127.0.0.1", elastic["http.port"])]
    assert out["password"].startswith("${"), "the password comes from the keystore"


def test_pipelines_yml_loads_the_pipeline_with_ecs_names() -> None:
    (entry,) = yaml.safe_load((DEPLOY / "logstash" / "pipelines.yml").read_text())
    assert Path(entry["path.config"]).name == PIPELINE.name
    assert entry["pipeline.ecs_compatibility"] == "v8"
    assert entry["dead_letter_queue.enable"] is True  # lines the strict mapping refuses are kept


# Elasticsearch and Kibana's settings ------------------------------------------------------


def test_elasticsearch_is_one_node_on_loopback() -> None:
    config = yaml.safe_load((DEPLOY / "elasticsearch" / "elasticsearch.yml").read_text())
    assert config["cluster.name"]
    assert config["node.name"]
    assert Path(config["path.data"]).is_absolute()
    assert Path(config["path.logs"]).is_absolute()
    assert config["http.port"] == 9200
    assert config["network.host"] == "127.0.0.1"
    assert config["discovery.type"] == "single-node"
    assert config["xpack.security.enabled"] is True
    settings = json.loads(TEMPLATE.read_text())["template"]["settings"]
    assert settings["index.number_of_replicas"] == 0  # one node: a replica never finds a home


def test_kibana_listens_on_5601_and_reads_that_elasticsearch() -> None:
    config = yaml.safe_load((DEPLOY / "kibana" / "kibana.yml").read_text())
    elastic = yaml.safe_load((DEPLOY / "elasticsearch" / "elasticsearch.yml").read_text())
    assert config["server.port"] == 5601
    assert config["server.host"] == "127.0.0.1"
    assert [urlsplit(h).port for h in config["elasticsearch.hosts"]] == [elastic["http.port"]]
    assert "elasticsearch.password" not in config


# Kibana's saved objects ---------------------------------------------------------------


def _searches(objects: dict) -> dict[str, tuple[dict, dict]]:
    return {
        ident: (item, json.loads(item["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"]))
        for (kind, ident), item in objects.items()
        if kind == "search"
    }


def _lens_columns(objects: dict) -> list[tuple[str, str, dict]]:
    found = []
    for (kind, ident), item in objects.items():
        if kind == "lens":
            layers = item["attributes"]["state"]["datasourceStates"]["formBased"]["layers"]
            for layer_id, layer in layers.items():
                for column in layer["columns"].values():
                    found.append((ident, layer_id, column))
    return found


def _queries(objects: dict) -> list[tuple[str, str]]:
    """Every KQL string of the saved objects, with where it is."""
    found = [(ident, source["query"]) for ident, (_, source) in _searches(objects).items()]
    for (kind, ident), item in objects.items():
        if kind == "lens":
            found.append((ident, item["attributes"]["state"]["query"]))
        if kind == "dashboard":
            meta = item["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"]
            found.append((ident, json.loads(meta)["query"]))
    found += [
        (ident, column["filter"])
        for ident, _, column in _lens_columns(objects)
        if "filter" in column
    ]
    for ident, query in found:
        assert query["language"] == "kuery", ident
    return [(ident, query["query"]) for ident, query in found]


def test_every_reference_resolves_to_an_object_in_the_file(saved_objects: dict) -> None:
    for (_kind, ident), item in saved_objects.items():
        names = [ref["name"] for ref in item["references"]]
        assert len(names) == len(set(names)), ident
        for ref in item["references"]:
            assert (ref["type"], ref["id"]) in saved_objects, (ident, ref)
    for ident, (item, source) in _searches(saved_objects).items():
        assert source["indexRefName"] in {r["name"] for r in item["references"]}, ident
    for (kind, ident), item in saved_objects.items():
        if kind == "lens":
            refs = {r["name"] for r in item["references"]}
            layers = item["attributes"]["state"]["datasourceStates"]["formBased"]["layers"]
            for layer_id, layer in layers.items():
                assert f"indexpattern-datasource-layer-{layer_id}" in refs, ident
                assert set(layer["columnOrder"]) == set(layer["columns"]), ident
            visualization = json.dumps(item["attributes"]["state"]["visualization"])
            for layer in layers.values():
                for column_id in layer["columns"]:
                    assert f'"{column_id}"' in visualization, (ident, column_id)
    (dashboard,) = [i for (k, _), i in saved_objects.items() if k == "dashboard"]
    refs = {r["name"]: r for r in dashboard["references"]}
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    assert len(panels) == len(refs)
    for panel in panels:
        ref = refs[f"{panel['panelIndex']}:{panel['panelRefName']}"]
        assert ref["type"] == panel["type"]
    shown = {r["id"] for r in refs.values()}
    others = {ident for (kind, ident) in saved_objects if kind in ("search", "lens")}
    assert shown == others, "every search and visualization is on the dashboard"


def test_every_field_kibana_uses_is_in_the_lines(
    day: Day, saved_objects: dict, field_types: dict[str, str]
) -> None:
    in_lines = _line_fields(day)
    used: set[str] = set()
    view = saved_objects[("index-pattern", "storybot-logs")]["attributes"]
    used.add(view["timeFieldName"])
    used |= set(json.loads(view["fieldFormatMap"])) | set(json.loads(view["fieldAttrs"]))
    for item, _source in _searches(saved_objects).values():
        used |= set(item["attributes"]["columns"])
        used |= {name for name, _ in item["attributes"]["sort"]}
    used |= {c["sourceField"] for _, _, c in _lens_columns(saved_objects)} - {"___records___"}
    for _ident, text in _queries(saved_objects):
        used |= kuery.parse(text, field_types).fields  # raises on a query it cannot read
    assert used <= in_lines, sorted(used - in_lines)
    assert field_types[view["timeFieldName"]] == "date"
    for _, _, column in _lens_columns(saved_objects):
        if column["operationType"] in ("median", "percentile", "average", "sum", "max"):
            assert field_types[column["sourceField"]] == "long", column


def _matching(query: str, documents: list[dict], field_types: dict[str, str]) -> list[dict]:
    parsed = kuery.parse(query, field_types)
    return [d for d in documents if parsed.matches(d)]


def test_the_trace_id_a_caller_got_back_finds_that_requests_lines(
    day: Day, saved_objects: dict, documents: list[dict], field_types: dict[str, str]
) -> None:
    item, source = _searches(saved_objects)["storybot-request-lines"]
    trace_field = source["query"]["query"].split(":")[0].strip()
    assert field_types[trace_field] == "keyword"
    assert trace_field in item["attributes"]["columns"]
    readme = (DEPLOY / "logstash" / "README.md").read_text(encoding="utf-8")
    assert f'{trace_field} : "' in readme  # the runbook says how to type it
    for name in ("story", "failed story"):
        found = _matching(f'{trace_field} : "{day.traces[name]}"', documents, field_types)
        loggers = {d["log.logger"] for d in found}
        assert {"storybot.access", "storybot.jobs.writing"} <= loggers, (name, found)
    for name, trace in day.traces.items():
        assert _matching(f'{trace_field} : "{trace}"', documents, field_types), name


def test_the_searches_and_panels_find_what_their_titles_say(
    day: Day, saved_objects: dict, documents: list[dict], field_types: dict[str, str]
) -> None:
    searches = _searches(saved_objects)

    def traces(query: str) -> set[str]:
        return {d.get("trace.id") for d in _matching(query, documents, field_types)}

    failures = searches["storybot-story-failures"][1]["query"]["query"]
    assert traces(failures) == {day.traces["failed story"]}
    errors = searches["storybot-errors"][1]["query"]["query"]
    assert traces(errors) == {day.traces["crash"]}
    columns = {c["label"]: c for _, _, c in _lens_columns(saved_objects)}
    refused = traces(columns["4xx answers"]["filter"]["query"])
    wanted = {day.traces[n] for n in ("not found", "bad json", "wrong password")}
    assert wanted <= refused
    assert day.traces["crash"] not in refused
    assert traces(columns["Errors (5xx, error lines)"]["filter"]["query"]) == {day.traces["crash"]}
    assert traces(columns["Failed stories"]["filter"]["query"]) == {day.traces["failed story"]}
    requests_seen = traces(columns["Requests"]["filter"]["query"])
    assert set(day.traces.values()) <= requests_seen
    timed = _matching(columns["95th percentile"]["filter"]["query"], documents, field_types)
    assert timed
    assert all(d["event.duration"] > 0 for d in timed)
