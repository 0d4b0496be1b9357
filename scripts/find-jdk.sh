#!/usr/bin/env bash
# Prints the home of a JDK >= 21: $JAVA_HOME if it qualifies, else the `java` on PATH,
# else the newest JDK under /usr/lib/jvm or /opt. Exits 1 with a message if there is none.
set -euo pipefail
major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1; }
ok() { [[ -x "$1/bin/javac" ]] && (( $(major "$1") >= 21 )); }
if [[ -n "${JAVA_HOME:-}" ]] && ok "$JAVA_HOME"; then echo "$JAVA_HOME"; exit 0; fi
if command -v javac >/dev/null; then
  h=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
  if ok "$h"; then echo "$h"; exit 0; fi
fi
best=""; bestv=0
for d in /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
  [[ -d "$d" && -x "$d/bin/javac" ]] || continue
  v=$(major "$d" 2>/dev/null || echo 0)
  if (( v >= 21 && v > bestv )); then best="$d"; bestv=$v; fi
done
if [[ -n "$best" ]]; then echo "$best"; exit 0; fi
echo "error: no JDK 21 or newer found; install one and set JAVA_HOME (see README, Prerequisites)" >&2
exit 1
