"""The test toolkit shared by integration_tests, bench and demo: one client of the emulator's control API
(notion_emulator.control.client), one way to run the `source-notion` command and read what it printed
(testkit.connector), and the constants they share (testkit.constants).

It may import the connector (its stream names) and the emulator; neither imports it (pyproject.toml's
import-linter contracts).
"""
