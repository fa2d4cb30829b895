"""Importing earlier survey data (a round answered in LimeSurvey, Excel or another tool) as
a closed round marked as imported. No Flask here.

One module per concept: `sources` reads a CSV or Excel file into a table (with the limits
and the hostile-file defences), `mapping` turns another tool's codes and answer texts into
ours, `validation` checks every cell against the questionnaire and lists each fault with
its row and column, `writing` stores the round and its responses, `layout` is the file
layout (the template and the per-round export that imports again), and `services` is the
use case (a dry run, or the import in one unit of work) that the command line, the admin
page and the tests call unchanged.
"""
