# ETL targets (issue 4) are added here.
