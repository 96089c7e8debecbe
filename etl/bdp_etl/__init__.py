"""Spark ETL of the medallion lake: bronze to silver to gold, with data-quality gates."""
