# Which honours were received in which year? {"YEAR": [{title, recipient, region}, ...]}, years ascending, "unknown" last.
# Usage: govextract parse seeds/ --format jsonl | jq -s -f examples/honours_by_year.jq
map(select(.kind == "honour"))
| group_by(.year)
| map({
    key: (.[0].year | if . == null then "unknown" else tostring end),
    value: map({title, recipient: .subject, region})
  })
| map(select(.key != "unknown")) + map(select(.key == "unknown"))
| from_entries
