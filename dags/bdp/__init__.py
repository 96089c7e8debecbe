"""Shared code of the big-data-platform DAGs: the CDK contract, EMR request builders, cluster reaping.

Not a DAG folder: `dags/.airflowignore` keeps the DAG processor out of it.
"""
