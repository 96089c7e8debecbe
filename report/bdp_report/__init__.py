"""`make report`: the local lake's gold tables and quality results as one offline HTML page."""
