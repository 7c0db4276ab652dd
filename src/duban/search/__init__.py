"""Full-text Chinese search over documents, tasks, progress reports and people.

`text` turns Chinese text into overlapping bigram tokens and queries into
phrases of them; `index` keeps the index in step with the rows it covers;
`query` searches it with filters and permissions and highlights the hits.
"""
