"""Queries over the ledger, one module per aggregate. Repositories flush; the edge commits."""
