# The repository-level pytest configuration: plugins that must be registered before collection.
# (The emulator's fixtures live in integration_tests/conftest.py.)
pytest_plugins = ["integration_tests.docker_harness"]
