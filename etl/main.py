"""spark-submit entry point of the ETL jobs; the jobs themselves live in the bdp_etl package.

    spark-submit --py-files bdp_etl.zip main.py <job> --date YYYY-MM-DD --lake ROOT [--rows N]

The process exits non-zero when a job raises or a blocking quality check fails.
"""

import sys

from bdp_etl.cli import main

if __name__ == "__main__":
    sys.exit(main())
