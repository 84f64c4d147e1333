"""Helpers shared by shoal's Python test suites (servers, RESP, raw connections)."""
