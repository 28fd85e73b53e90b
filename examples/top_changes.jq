# Which changes are the largest in each region? Per region, its change records by |value| (largest first), top 3.
# Usage: govextract parse seeds/ --format jsonl | jq -c -s -f examples/top_changes.jq
# (|value| compares % and 百分点 changes alike: check `unit` before reading one against the other.)
def magnitude: if .value < 0 then -.value else .value end;

map(select(.kind == "change" and .value != null))
| group_by(.region)
| .[]
| {
    region: .[0].region,
    changes: (sort_by(-magnitude) | .[:3] | map({subject, value, unit, basis, text, doc}))
  }
