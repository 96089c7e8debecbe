# DAG targets (issue 5) are added here.
