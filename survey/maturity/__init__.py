"""From ratings to an agreed picture and a plan (issue 21): desired levels, agreement or
split, consensus workshops, actions and their follow-up. No Flask here."""
