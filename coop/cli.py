"""``coop``: the operator's command line for the cooperative platform."""
import warnings

warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
import eventlet  # noqa: E402  (patched first: the RPC client and the drivers below run green)

eventlet.monkey_patch()

import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import typer  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from coop import platform  # noqa: E402
from shared.config import ROOT  # noqa: E402

app = typer.Typer(help="Operate the cooperative platform.", no_args_is_help=True)
dlq_app = typer.Typer(help="Dead-letter queues: events whose handler kept failing.", no_args_is_help=True)
events_app = typer.Typer(help="The event bus.", no_args_is_help=True)
app.add_typer(dlq_app, name="dlq")
app.add_typer(events_app, name="events")
console = Console()


@app.command()
def migrate(service: list[str] = typer.Option(None, "--service", "-s", help="Only these services")):
    """Upgrade every service's database to its newest migration (Alembic)."""
    from shared.migrations import upgrade

    for name in service or platform.services():
        if not platform.has_database(name):
            continue
        uri = platform.db_uri(name)
        upgrade(name, uri)
        console.print(f"[green]migrated[/green] {name} ({uri.split('@')[-1]})")


@app.command()
def up(
    service: list[str] = typer.Option(None, "--service", "-s", help="Only these services"),
    no_migrate: bool = typer.Option(False, "--no-migrate", help="Do not migrate first"),
    with_demo: bool = typer.Option(False, "--demo", help="Load the demo cooperative when empty"),
):
    """Run every service locally, each as its own process, until Ctrl-C."""
    if not no_migrate:
        migrate(service)
    names = service or platform.services()
    Path(ROOT / "var" / "log").mkdir(parents=True, exist_ok=True)
    processes = {}
    for name in names:
        log = open(ROOT / "var" / "log" / f"{name}.log", "ab")  # noqa: SIM115  (the child process writes to it)
        processes[name] = subprocess.Popen(
            [sys.executable, "-m", "nameko", "run", "--config",
             str(ROOT / "services" / name / "config.yml"), f"services.{name}.service"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        port_variable = "GATEWAY_PORT" if name == "gateway" else f"{name.upper()}_METRICS_PORT"
        port = os.environ.get(port_variable, platform.METRICS_PORTS[name])
        what = "gateway" if name == "gateway" else "metrics"
        console.print(f"started {name:<13} pid {processes[name].pid:<7} {what} http://127.0.0.1:{port}/"
                      f"{'api/v1' if name == 'gateway' else 'metrics'}   log var/log/{name}.log")
    stopping = False
    if with_demo and _wait_ready([n for n in names if n != "gateway"], processes):
        try:
            demo(members=200, force=False)
        except Exception as exc:
            console.print(f"[yellow]demo data not loaded: {exc}[/yellow]")
    console.print("[bold]the cooperative is running[/bold]: gateway http://127.0.0.1:"
                  f"{os.environ.get('GATEWAY_PORT', 8000)}/api/v1/openapi.json — Ctrl-C stops everything")

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping:
            for name, process in processes.items():
                if process.poll() is not None:
                    console.print(f"[red]{name} exited with {process.returncode}[/red]: see var/log/{name}.log")
                    stopping = True
            time.sleep(0.5)
    finally:
        console.print("stopping…")
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        for process in processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
    failed = [n for n, p in processes.items() if p.returncode not in (0, -signal.SIGTERM)]
    raise typer.Exit(1 if failed and not stopping else 0)


def _wait_ready(names, processes, timeout=60.0) -> bool:
    """Until every service consumes its RPC queue (or one of them died)."""
    from kombu import Connection

    deadline = time.monotonic() + timeout
    with Connection(platform.amqp_uri()) as connection:
        waiting = set(names)
        while waiting and time.monotonic() < deadline:
            for name in list(waiting):
                if processes[name].poll() is not None:
                    return False
                try:
                    if connection.channel().queue_declare(f"rpc-{name}", passive=True).consumer_count:
                        waiting.discard(name)
                except Exception:
                    pass
            time.sleep(0.5)
    return not waiting


@app.command()
def demo(
    members: int = typer.Option(200, help="How many members to create"),
    force: bool = typer.Option(False, help="Load even if the cooperative already has members"),
):
    """Load a realistic cooperative through the services' public interfaces."""
    from coop.demo import DEMO_PASSWORD, load_demo
    from shared.rpc import StandaloneRpc

    with StandaloneRpc({"AMQP_URI": platform.amqp_uri()}, timeout=60) as cluster:
        if not force and cluster.membership.find_members({"limit": 1})["total"] > 0:
            console.print("the cooperative already has members: demo not loaded (use --force)")
            return
        report = load_demo(cluster, members, say=console.print)
    table = Table("what", "how many")
    for label, value in (("members admitted", report.admitted), ("activities", report.activities),
                         ("clients", report.clients), ("invoices issued", report.invoices),
                         ("amount invoiced (EUR)", str(report.invoiced)), ("payments", report.payments),
                         ("salary payouts", report.payouts), ("resources", report.resources),
                         ("bookings", report.bookings), ("votes cast", report.votes)):
        table.add_row(label, str(value))
    console.print(table)
    console.print(f"loaded in {report.seconds:.1f}s; log in with password {DEMO_PASSWORD!r} as:")
    for email, roles in report.logins:
        console.print(f"  {email}  ({roles})")


@dlq_app.command("list")
def dlq_list(service: list[str] = typer.Option(None, "--service", "-s")):
    """List the events parked in each service's dead-letter queue."""
    from shared.dlq import list_parked

    table = Table("service", "event id", "event type", "handler", "attempts", "parked at", "error")
    total = 0
    for name in service or platform.services(include_gateway=False):
        try:
            parked = list_parked(platform.amqp_uri(), name)
        except Exception as exc:  # a service never started has no queue yet
            console.print(f"[yellow]{name}: {exc}[/yellow]")
            continue
        for item in parked:
            total += 1
            table.add_row(name, item.event_id or "?", item.event_type or "?", item.handler or "?",
                          str(item.attempts), item.parked_at or "", (item.error or "")[:80])
    console.print(table)
    console.print(f"{total} parked event(s)")


@dlq_app.command("replay")
def dlq_replay(
    service: list[str] = typer.Option(None, "--service", "-s"),
    event_id: str = typer.Option(None, "--event-id", help="Replay only this event"),
):
    """Send parked events back to their handler, with a fresh retry budget."""
    from shared.dlq import replay

    count = 0
    for name in service or platform.services(include_gateway=False):
        try:
            replayed = replay(platform.amqp_uri(), name, event_id)
        except Exception as exc:
            console.print(f"[yellow]{name}: {exc}[/yellow]")
            continue
        for item in replayed:
            console.print(f"replayed {item.event_type} {item.event_id} → {item.handler}")
        count += len(replayed)
    console.print(f"{count} event(s) replayed")


@events_app.command("catalog")
def events_catalog(output: Path = typer.Option(ROOT / "docs" / "asyncapi.json", "--output", "-o")):
    """Write the AsyncAPI catalogue of every event type."""
    from shared.asyncapi import catalog

    platform.load_event_schemas()
    output.write_text(json.dumps(catalog(platform.services()), indent=2, sort_keys=True) + "\n")
    console.print(f"wrote {output}")


@app.command()
def openapi(output: Path = typer.Option(ROOT / "docs" / "openapi.json", "--output", "-o")):
    """Write the HTTP API's OpenAPI document."""
    from services.gateway.openapi import build_spec
    from services.gateway.service import GatewayService

    output.write_text(json.dumps(build_spec(GatewayService), indent=2, sort_keys=True) + "\n")
    console.print(f"wrote {output}")


@app.command("deploy-files")
def deploy_files(check: bool = typer.Option(False, "--check", help="Fail if a committed file is stale")):
    """Regenerate the RabbitMQ definitions (compose and k8s) and the Grafana dashboard."""
    from coop import deploy

    if check:
        stale = deploy.stale_files(ROOT)
        for path in stale:
            console.print(f"[red]stale[/red] {path}")
        raise typer.Exit(1 if stale else 0)
    for path in deploy.write_all(ROOT):
        console.print(f"wrote {path.relative_to(ROOT)}")


@events_app.command("tail")
def events_tail(
    source: list[str] = typer.Option(None, "--source", "-s", help="Only events of these services"),
    event_type: str = typer.Option("#", "--type", "-t", help="Routing key pattern (event type)"),
    limit: int = typer.Option(0, "--limit", help="Stop after this many events (0: never)"),
):
    """Print the bus live: every event as it is published."""
    from kombu import Connection, Consumer, Queue

    from shared.topology import events_exchange

    sources = source or platform.services(include_gateway=False)
    seen = 0
    with Connection(platform.amqp_uri()) as connection:
        channel = connection.channel()
        queues = []
        for name in sources:
            exchange = events_exchange(name)
            exchange(channel).declare()
            queues.append(Queue(f"coop-tail-{os.getpid()}-{name}", exchange=exchange,
                                routing_key=event_type, exclusive=True, auto_delete=True))

        def show(body, message):
            nonlocal seen
            seen += 1
            console.print_json(json.dumps(body))
            message.ack()

        with Consumer(channel, queues=queues, callbacks=[show], accept=["json"]):
            while not limit or seen < limit:
                try:
                    connection.drain_events(timeout=1)
                except TimeoutError:
                    continue
                except KeyboardInterrupt:
                    break


@app.command()
def status():
    """Services up, outbox backlog and dead letters."""
    from kombu import Connection
    from sqlalchemy import MetaData, func, select

    from shared.db import make_engine, outbox_table

    table = Table("service", "consumers", "outbox backlog", "dead letters")
    with Connection(platform.amqp_uri()) as connection:
        channel = connection.channel()
        for name in platform.services():
            consumers, backlog, dead = "?", "-", "-"
            try:
                consumers = str(channel.queue_declare(f"rpc-{name}", passive=True).consumer_count)
            except Exception:
                channel = connection.channel()
                consumers = "0"
            try:
                dead = str(channel.queue_declare(f"{name}.dlq", passive=True).message_count)
            except Exception:
                channel = connection.channel()
            if platform.has_database(name):
                engine = make_engine(platform.db_uri(name))
                try:
                    outbox = outbox_table(MetaData())
                    with engine.connect() as db:
                        backlog = str(db.execute(select(func.count()).select_from(outbox)
                                                 .where(outbox.c.published_at.is_(None))).scalar())
                except Exception:
                    backlog = "not migrated"
                finally:
                    engine.dispose()
            table.add_row(name, consumers, backlog, dead)
    console.print(table)


@app.command()
def prune(
    service: list[str] = typer.Option(None, "--service", "-s", help="Only these services"),
    outbox_days: int = typer.Option(7, help="Keep published events this many days"),
    inbox_days: int = typer.Option(90, help="Keep the record of handled events this many days"),
):
    """Delete published outbox rows and old inbox rows (run it daily, e.g. from cron)."""
    from shared.db import make_engine
    from shared.retention import prune as prune_database

    for name in service or platform.services():
        if not platform.has_database(name):
            continue
        engine = make_engine(platform.db_uri(name))
        try:
            deleted = prune_database(engine, outbox_days, inbox_days)
        finally:
            engine.dispose()
        console.print(f"{name}: {deleted['outbox']} outbox rows, {deleted['inbox']} inbox rows deleted")


@app.command("month-end")
def month_end(
    period: str = typer.Argument(..., help="The period to close, YYYY-MM"),
    follow: bool = typer.Option(False, "--follow", "-f", help="Show the run's progress until it ends"),
    chunk_size: int = typer.Option(None, "--chunk-size", help="Activities per chunk (billing's default otherwise)"),
    interval: float = typer.Option(0.5, "--interval", help="Seconds between two looks at the run"),
):
    """Start the month-end run of a period (or find the one already started) and follow it.
    Exits 1 when chunks failed (dead-lettered: see `coop dlq list`, replay with `coop dlq replay`)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from shared.rpc import StandaloneRpc

    payload = {"period": period, **({"chunk_size": chunk_size} if chunk_size else {})}
    with StandaloneRpc({"AMQP_URI": platform.amqp_uri()}, timeout=60) as proxy:
        status = proxy.billing.start_month_end(payload)
        console.print(f"month-end {status['period']}: run {status['run_id']} ({status['status']}), "
                      f"{status['activities_total']} activities in {status['chunks_total']} chunks")
        if follow and status["status"] != "finished":
            columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                       TextColumn("{task.fields[rate]:.0f} activities/s"),
                       TextColumn("chunks {task.fields[chunks]}"), TextColumn("ETA"), TimeRemainingColumn())
            with Progress(*columns, console=console) as progress:
                task = progress.add_task(period, total=status["activities_total"], rate=0.0, chunks="")
                while True:
                    status = proxy.billing.month_end_status(status["run_id"])
                    failed = f", [red]{status['chunks_failed']} failed[/red]" if status["chunks_failed"] else ""
                    progress.update(task, completed=status["activities_done"],
                                    rate=status["activities_per_second"],
                                    chunks=f"{status['chunks_done']}/{status['chunks_total']}{failed}")
                    stuck = status["chunks_done"] + status["chunks_failed"] >= status["chunks_total"]
                    if status["status"] == "finished" or stuck:
                        break
                    time.sleep(interval)
    console.print(f"{status['chunks_done']}/{status['chunks_total']} chunks done, "
                  f"{status['activities_done']} activities in {status['elapsed_seconds']:.1f} s "
                  f"({status['activities_per_second']:.0f}/s), {status['chunks_failed']} failed")
    if status["chunks_failed"]:
        console.print("[red]failed chunks are parked in billing.dlq: `coop dlq list`, then `coop dlq replay`[/red]")
        raise typer.Exit(1)


@app.command(hidden=True)
def makemigration(service: str, message: str, rev_id: str = typer.Option(None)):
    """Generate an Alembic revision for a service from its models (developers)."""
    import tempfile

    from alembic import command

    from shared.migrations import alembic_config, upgrade

    with tempfile.TemporaryDirectory() as tmp:
        uri = f"sqlite:///{tmp}/{service}.db"
        upgrade(service, uri)
        command.revision(alembic_config(service, uri), message=message, autogenerate=True, rev_id=rev_id)


def main():
    app()


if __name__ == "__main__":
    main()
