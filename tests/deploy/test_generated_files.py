"""Generated deployment files are committed fresh: regenerate with coop/deploy.py write_all."""
from coop import deploy
from shared.config import ROOT


def test_committed_generated_files_match_the_generator():
    stale = deploy.stale_files(ROOT)
    assert not stale, (f"{[str(p) for p in stale]} differ from what coop/deploy.py generates: "
                       "run `python -c 'from coop.deploy import write_all; write_all(\".\")'`")


def test_generated_files_are_written_where_the_deployment_reads_them(tmp_path):
    written = deploy.write_all(tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == [
        "deploy/grafana/dashboards/coop.json",
        "deploy/k8s/rabbitmq/definitions.json",
        "deploy/rabbitmq/definitions.json",
    ]
    assert not deploy.stale_files(tmp_path)
