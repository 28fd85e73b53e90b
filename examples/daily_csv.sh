#!/usr/bin/env bash
# One CSV of govextract records per day: OUTPUT_DIR/YYYY-MM-DD.csv holds the records of the
# reports under INPUT_DIR whose modification date (or, with --by ctime, arrival) is that day.
set -euo pipefail

prog=${0##*/}

usage() {
  cat <<EOF
Usage: $prog [--bom] [--by mtime|ctime] INPUT_DIR OUTPUT_DIR

Parse the reports under INPUT_DIR (files matching DAILY_CSV_GLOB, default *.txt, found
recursively; hidden files and directories skipped) and write one CSV per day,
OUTPUT_DIR/YYYY-MM-DD.csv, with the records of that day's reports (govextract --format csv).

A report's day is its modification date, \`date -r FILE +%F\`, in the local time zone
(set TZ to choose another). With --by ctime it is the day of its inode's last change
instead: the day the file arrived here even when the copy kept the original mtime
(cp -p, rsync -a, tar, wget), but also any later chmod, rename or rewrite.

Options:
  --bom            start each CSV with a UTF-8 BOM, for Excel (or DAILY_CSV_BOM=1)
  --by mtime|ctime which timestamp gives a report's day (or DAILY_CSV_BY; default mtime)
  -h, --help       show this message

Environment:
  GOVEXTRACT       the govextract command to run (default: govextract)
  DAILY_CSV_GLOB   which file names are reports (default: *.txt)

A day's CSV is replaced only when all of its reports parsed: govextract writes a hidden
temporary file in OUTPUT_DIR that is renamed into place, so a failed day keeps its
previous CSV (if any) and leaves no partial file. The same reports give byte-identical
CSVs, so running it again is harmless; a CSV whose day no longer has reports is kept.

Exit status: 0 every day written, 1 a report or a day failed, 2 usage error.
EOF
}

die_usage() {
  printf '%s: %s\n' "$prog" "$1" >&2
  printf 'Usage: %s [--bom] [--by mtime|ctime] INPUT_DIR OUTPUT_DIR (--help for more)\n' "$prog" >&2
  exit 2
}

bom=${DAILY_CSV_BOM:-0}
by=${DAILY_CSV_BY:-mtime}
glob=${DAILY_CSV_GLOB:-*.txt}
govextract=${GOVEXTRACT:-govextract}
args=()

while (($#)); do
  case $1 in
    -h | --help)
      usage
      exit 0
      ;;
    --bom) bom=1 ;;
    --by)
      (($# >= 2)) || die_usage "--by needs a value: mtime or ctime"
      by=$2
      shift
      ;;
    --by=*) by=${1#--by=} ;;
    --)
      shift
      args+=("$@")
      break
      ;;
    -?*) die_usage "unknown option: $1" ;;
    *) args+=("$1") ;;
  esac
  shift
done

((${#args[@]} == 2)) || die_usage "expected INPUT_DIR and OUTPUT_DIR, got ${#args[@]} argument(s)"
case $by in
  mtime | ctime) ;;
  *) die_usage "--by must be mtime or ctime, not '$by'" ;;
esac
case $bom in
  0 | '') bom_flag=() ;;
  *) bom_flag=(--bom) ;;
esac

in=${args[0]}
out=${args[1]}
# A path that starts with '-' would read as an option to find and govextract.
[[ $in == -* ]] && in=./$in
[[ $out == -* ]] && out=./$out
[[ -d $in ]] || die_usage "INPUT_DIR is not a directory: $in"
command -v "$govextract" >/dev/null 2>&1 || {
  printf '%s: govextract not found: %s (set GOVEXTRACT to its path)\n' "$prog" "$govextract" >&2
  exit 1
}
mkdir -p -- "$out"

# Temporary files of this run, removed however the script ends.
tmp_files=()
# shellcheck disable=SC2329  # called by the EXIT trap
cleanup() { ((${#tmp_files[@]} == 0)) || rm -f -- "${tmp_files[@]}"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

list=$(mktemp)
tmp_files+=("$list")
if ! find "$in" -mindepth 1 -name '.*' -prune -o -type f -name "$glob" -print0 >"$list"; then
  printf '%s: cannot list every file under %s\n' "$prog" "$in" >&2
  exit 1
fi
reports=()
mapfile -d '' reports < <(LC_ALL=C sort -z -- "$list")
if ((${#reports[@]} == 0)); then
  printf '%s: no reports (%s) under %s\n' "$prog" "$glob" "$in" >&2
  exit 0
fi

status=0
report_days=()
for f in "${reports[@]}"; do
  if [[ $by == mtime ]]; then
    day=$(date -r "$f" +%F) || day=
  else
    day=$(stat -c %Z -- "$f") && day=$(date -d "@$day" +%F) || day=
  fi
  if [[ -z $day ]]; then
    printf '%s: %s: cannot read its date, skipped\n' "$prog" "$f" >&2
    status=1
  fi
  report_days+=("$day")
done

days=()
mapfile -t days < <(printf '%s\n' "${report_days[@]}" | grep -v '^$' | LC_ALL=C sort -u || true)

for day in "${days[@]}"; do
  group=()
  for i in "${!reports[@]}"; do
    if [[ ${report_days[i]} == "$day" ]]; then
      group+=("${reports[i]}")
    fi
  done
  target=$out/$day.csv
  part=$out/.$day.csv.$$.part
  tmp_files+=("$part")
  if "$govextract" parse "${group[@]}" --format csv "${bom_flag[@]}" --quiet -o "$part"; then
    mv -f -- "$part" "$target"
    printf '%s: %s: %d report(s)\n' "$prog" "$target" "${#group[@]}" >&2
  else
    rm -f -- "$part"
    printf '%s: %s not written: a report of %s failed (see above)\n' "$prog" "$target" "$day" >&2
    status=1
  fi
done
exit "$status"
