"""Prometheus scrape configuration, alert rules and the Grafana dashboard."""
import json
import shutil
import subprocess

import pytest

from coop import deploy
from coop.platform import METRICS_PORTS, ORDER
from tests.deploy.conftest import DEPLOY, load_yaml
from tests.deploy.promql import metric_names

PROMETHEUS = DEPLOY / "prometheus"
GRAFANA = DEPLOY / "grafana"


def alert_rules() -> list[dict]:
    return [rule for group in load_yaml(PROMETHEUS / "alerts.yml")["groups"] for rule in group["rules"]]


def dashboard() -> dict:
    return json.loads((GRAFANA / "dashboards" / "coop.json").read_text())


def dashboard_expressions() -> list[str]:
    return [t["expr"] for p in dashboard()["panels"] for t in p.get("targets", [])]


def queried_metrics() -> dict[str, list[str]]:
    """metric name -> where it is queried (alert names, panel titles)."""
    found: dict[str, list[str]] = {}
    for rule in alert_rules():
        for name in metric_names(rule["expr"]):
            found.setdefault(name, []).append(f"alert {rule['alert']}")
    for panel in dashboard()["panels"]:
        for target in panel.get("targets", []):
            for name in metric_names(target["expr"]):
                found.setdefault(name, []).append(f"panel {panel['title']!r}")
    return found


def test_every_service_is_scraped_on_its_port_through_dns_discovery():
    """DNS gives one address per container: `--scale billing=4` gives four billing targets."""
    config = load_yaml(PROMETHEUS / "prometheus.yml")
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    for service in ORDER:
        (discovery,) = jobs[service]["dns_sd_configs"]
        assert discovery == {"names": [service], "type": "A", "port": METRICS_PORTS[service],
                             "refresh_interval": "15s"}
        assert jobs[service].get("metrics_path", "/metrics") == "/metrics"
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]


def test_the_alert_rules_cover_outbox_dead_letters_month_end_and_services_down():
    rules = {rule["alert"]: rule for rule in alert_rules()}
    assert set(rules) >= {"OutboxBacklogGrowing", "OutboxStuck", "DeadLettersWaiting",
                          "EventsBeingDeadLettered", "MonthEndStalled", "ServiceDown"}
    assert metric_names(rules["OutboxBacklogGrowing"]["expr"]) == {"coop_outbox_backlog"}
    assert metric_names(rules["OutboxStuck"]["expr"]) == {"coop_outbox_oldest_age_seconds"}
    assert "coop_dead_letter_depth) > 0" in rules["DeadLettersWaiting"]["expr"]
    assert "increase(coop_dead_lettered_total" in rules["EventsBeingDeadLettered"]["expr"]
    assert metric_names(rules["MonthEndStalled"]["expr"]) == {
        "coop_month_end_chunks_pending", "coop_month_end_chunks_done_total"}
    assert rules["ServiceDown"]["expr"].startswith("up{") and rules["ServiceDown"]["expr"].endswith("== 0")
    for rule in rules.values():
        assert rule["labels"]["severity"] in ("warning", "critical")
        assert rule["annotations"]["summary"]


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed (apt-get install prometheus)")
def test_promtool_accepts_the_configuration_and_the_rules():
    rules = subprocess.run(["promtool", "check", "rules", str(PROMETHEUS / "alerts.yml")],
                           capture_output=True, text=True)
    assert rules.returncode == 0, rules.stdout + rules.stderr
    # the scrape configuration names the rule file by its path inside the container
    config = subprocess.run(["promtool", "check", "config", "--syntax-only",
                             str(PROMETHEUS / "prometheus.yml")], capture_output=True, text=True)
    assert config.returncode == 0, config.stdout + config.stderr


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed (apt-get install prometheus)")
def test_promtool_parses_every_dashboard_query(tmp_path):
    group = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:query_{i}", "expr": expr} for i, expr in enumerate(dashboard_expressions())]}]}
    (tmp_path / "queries.yml").write_text(json.dumps(group))
    result = subprocess.run(["promtool", "check", "rules", str(tmp_path / "queries.yml")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_dashboard_is_provisioned_with_the_prometheus_datasource():
    datasource = load_yaml(GRAFANA / "provisioning" / "datasources" / "prometheus.yml")["datasources"][0]
    assert (datasource["uid"], datasource["url"]) == ("prometheus", "http://prometheus:9090")
    provider = load_yaml(GRAFANA / "provisioning" / "dashboards" / "coop.yml")["providers"][0]
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards"
    board = dashboard()
    assert board == deploy.grafana_dashboard()
    assert board["uid"] == "coop-platform"
    panels = [p for p in board["panels"] if p["type"] != "row"]
    assert len({p["id"] for p in board["panels"]}) == len(board["panels"])
    for panel in panels:
        assert panel["datasource"]["uid"] == "prometheus" and panel["targets"]


def test_the_dashboard_shows_what_the_operators_asked_for():
    queried = set(queried_metrics())
    for service in ORDER:
        if service != "gateway":
            assert {f"{service}_rpc_request_latency_seconds_bucket", f"{service}_rpc_requests_total"} <= queried
    assert {"gateway_http_request_latency_seconds_bucket", "gateway_http_requests_total",
            "coop_rpc_errors_total", "coop_events_handled_total", "coop_outbox_backlog",
            "coop_outbox_oldest_age_seconds", "coop_dead_letter_depth", "coop_dead_lettered_total",
            "coop_month_end_chunks_pending", "coop_month_end_chunks_done_total",
            "coop_invoices_issued_total", "coop_invoiced_amount_total", "coop_bookings_total",
            "coop_votes_cast_total"} <= queried
