"""A bare Nameko service: the yardstick the platform's services are measured against."""
from nameko.rpc import rpc


class EchoService:
    name = "echo"

    @rpc
    def echo(self, value):
        return value
