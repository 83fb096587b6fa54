"""Tests of the ledger service."""
