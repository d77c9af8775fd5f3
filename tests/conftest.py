"""Tests run under eventlet's monkey patch, as Nameko services do."""
import eventlet

eventlet.monkey_patch()

pytest_plugins = ["shared.testing"]  # nameko.testing.pytest registers itself
