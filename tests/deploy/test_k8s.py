"""deploy/k8s: manifests for every service, billing autoscaled on its work queue, three RabbitMQ
nodes with quorum queues (no cluster here: the manifests are checked, not applied)."""
import json

import pytest

from coop.platform import METRICS_PORTS, ORDER
from tests.deploy.conftest import DEPLOY, load_all_yaml, load_yaml

K8S = DEPLOY / "k8s"


def documents() -> list[dict]:
    kustomization = load_yaml(K8S / "kustomization.yaml")
    docs = []
    for resource in kustomization["resources"]:
        assert (K8S / resource).exists(), resource
        docs.extend(load_all_yaml(K8S / resource))
    return docs


def find(kind: str, name: str) -> dict:
    (doc,) = [d for d in documents() if d["kind"] == kind and d["metadata"]["name"] == name]
    return doc


def test_kustomization_lists_every_manifest_in_one_namespace():
    kustomization = load_yaml(K8S / "kustomization.yaml")
    assert kustomization["namespace"] == "coop"
    listed = {K8S / r for r in kustomization["resources"]}
    assert listed == {p for p in K8S.rglob("*.yaml") if p.name != "kustomization.yaml"}


@pytest.mark.parametrize("service", ORDER)
def test_each_service_has_a_deployment_with_probes_resources_and_quorum_queues(service):
    deployment = find("Deployment", service)
    spec = deployment["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    env = {e["name"]: e for e in container["env"]}
    assert env["SERVICE"]["value"] == service
    assert env["EVENT_QUEUE_TYPE"]["value"] == "quorum"
    assert env["DECLARE_ALL_SUBSCRIBER_QUEUES"]["value"] == "false"
    assert env["AMQP_URI"]["valueFrom"]["secretKeyRef"]["name"] == f"coop-{service}"
    if service != "gateway":
        assert env[f"{service.upper()}_DB_URI"]["valueFrom"]["secretKeyRef"]["name"] == f"coop-{service}"
    (port,) = container["ports"]
    assert port["containerPort"] == METRICS_PORTS[service]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/metrics", "port": port["name"]}
    assert container["resources"]["requests"]["cpu"] and container["resources"]["limits"]["memory"]
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["terminationGracePeriodSeconds"] >= 40
    service_doc = find("Service", service)
    assert service_doc["spec"]["ports"][0]["port"] == METRICS_PORTS[service]


def test_billing_is_autoscaled_by_keda_on_the_month_end_queue_length():
    scaled = find("ScaledObject", "billing")
    assert scaled["apiVersion"] == "keda.sh/v1alpha1"
    assert scaled["spec"]["scaleTargetRef"]["name"] == "billing"
    assert scaled["spec"]["minReplicaCount"] >= 1 < scaled["spec"]["maxReplicaCount"]
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["type"] == "rabbitmq"
    assert trigger["metadata"]["queueName"] == "evt-billing-month_end_chunk_ready--billing.on_month_end_chunk_ready"
    assert trigger["metadata"]["mode"] == "QueueLength"
    assert trigger["metadata"]["vhostName"] == "coop"
    auth = find("TriggerAuthentication", trigger["authenticationRef"]["name"])
    assert auth["spec"]["secretTargetRef"][0]["parameter"] == "host"


def test_rabbitmq_runs_as_three_nodes_loading_the_quorum_definitions():
    cluster = find("RabbitmqCluster", "coop-rabbitmq")
    assert cluster["apiVersion"] == "rabbitmq.com/v1beta1"
    assert cluster["spec"]["replicas"] == 3
    config = cluster["spec"]["rabbitmq"]["additionalConfig"]
    assert "definitions.local.path = /etc/rabbitmq/coop/definitions.json" in config
    definitions = json.loads((K8S / "rabbitmq" / "definitions.json").read_text())
    queue_types = {q["name"]: q["arguments"].get("x-queue-type") for q in definitions["queues"]}
    assert all(kind == "quorum" for name, kind in queue_types.items()
               if name.startswith("evt-") or name.endswith(".dlq"))
    assert all(kind is None for name, kind in queue_types.items() if ".retry." in name)
