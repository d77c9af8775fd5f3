"""RPC replies (shared/service.py, shared/amqp.ReplyPublisher): one long-lived channel per
process, without confirms; a result that cannot be serialised still gets an answer, and a reply
channel that was lost is reopened for the next reply."""
import datetime as dt
import socket

import pytest
from nameko.exceptions import RemoteError

from shared.service import ReplyingRpcConsumer, ServiceBase, rpc


class EchoService(ServiceBase):
    name = "echo_replies"

    @rpc
    def echo(self, value):
        return value

    @rpc
    def unserialisable(self):
        return object()


def _consumer(container) -> ReplyingRpcConsumer:
    return next(e for e in container.subextensions if isinstance(e, ReplyingRpcConsumer))


@pytest.fixture
def echo(container_factory, rabbit_config):
    container = container_factory(EchoService, {**rabbit_config, "max_workers": 4})
    container.start()
    return container


def test_a_result_that_cannot_be_serialised_gets_an_error_reply(echo, cluster):
    with pytest.raises(RemoteError) as error:
        cluster.echo_replies.unserialisable()
    assert error.value.exc_type == "UnserializableValueError"
    assert cluster.echo_replies.echo({"still": "answering"}) == {"still": "answering"}


def test_a_lost_reply_channel_is_reopened_for_the_next_reply(echo, cluster):
    assert cluster.echo_replies.echo(1) == 1
    replies = _consumer(echo).replies
    lost = replies._connection
    lost.connection.sock.shutdown(socket.SHUT_RDWR)  # the broker went away under it
    assert cluster.echo_replies.echo(2) == 2
    assert replies._connection is not lost


def test_replies_share_one_connection(echo, cluster):
    replies = _consumer(echo).replies
    cluster.echo_replies.echo(dt.date(2026, 11, 26).isoformat())
    first = replies._connection
    for n in range(20):
        assert cluster.echo_replies.echo(n) == n
    assert replies._connection is first
