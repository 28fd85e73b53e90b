-- Summary of govextract records in JSON Lines: records per kind, per region and kind, money per region.
-- Run it with: python examples/duckdb_summary.py RECORDS.jsonl
-- or in the duckdb shell: SET VARIABLE records = 'RECORDS.jsonl'; then .read examples/duckdb_summary.sql
-- Each "-- ## Title" comment opens one query; the runner prints its result under that title.
-- Records are mentions: a figure the report repeats is counted (and its money summed) each time.

CREATE OR REPLACE TEMP VIEW records AS
SELECT * FROM read_json_auto(getvariable('records'), format = 'newline_delimited');

-- ## Records per kind
SELECT kind, count(*) AS records
FROM records
GROUP BY kind
ORDER BY records DESC, kind;

-- ## Records per region and kind
SELECT
    CASE WHEN grouping(region) = 1 THEN '(all)' ELSE coalesce(region, '(none)') END AS region,
    count(*) FILTER (WHERE kind = 'count') AS "count",
    count(*) FILTER (WHERE kind = 'percent') AS "percent",
    count(*) FILTER (WHERE kind = 'change') AS "change",
    count(*) FILTER (WHERE kind = 'money') AS "money",
    count(*) FILTER (WHERE kind = 'ranking') AS "ranking",
    count(*) FILTER (WHERE kind = 'honour') AS "honour",
    count(*) AS total
FROM records
GROUP BY GROUPING SETS ((region), ())
ORDER BY grouping(region), total DESC, region;

-- ## Money per region (yuan)
SELECT
    coalesce(region, '(none)') AS region,
    count(*) AS amounts,
    sum(value) AS yuan,
    round(sum(value) / 1e8, 2) AS "亿元"
FROM records
WHERE kind = 'money'
GROUP BY region
ORDER BY yuan DESC, region;
