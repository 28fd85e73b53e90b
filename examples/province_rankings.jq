# Which rankings are against the whole province (scope 全省)? One line per ranking: where, what, which place.
# Usage: govextract parse seeds/ --format jsonl | jq -c -f examples/province_rankings.jq
select(.kind == "ranking" and .scope == "全省")
| {region, subject, rank, top, tier, text, doc}
