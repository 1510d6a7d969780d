#!/usr/bin/env bash
# Runs a test program built or driving a server built by the `asan` preset, with every
# sanitizer report written to a file, so a finding in a process no test looks at (a spawned
# server's leak at exit, say) still fails the run. Usage: run_asan_suite.sh REPORT_DIR CMD...
set -uo pipefail
reports=$1; shift
rm -rf "$reports" && mkdir -p "$reports"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:log_path=$reports/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan"
"$@"
rc=$?
if compgen -G "$reports/*" >/dev/null; then
  echo "sanitizer reports in $reports:"
  cat "$reports"/*
  exit 1
fi
exit $rc
