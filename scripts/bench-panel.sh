# Sourced by scripts/bench, bench-ab and bench-ir: the admin every benchmarked server starts
# with, and the signed-in state its authenticated reads need.
bench_admin_email=bench@example.test
bench_admin_password=bench-password-0123

# bench_sign_in URL: the admin's access token.
bench_sign_in() {
  curl -fs "$1/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$bench_admin_email\",\"password\":\"$bench_admin_password\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["user_token"])'
}

# bench_add_agents URL TOKEN N: N agents with budgets of 1..N dollars.
bench_add_agents() {
  local i
  for i in $(seq "$3"); do
    curl -fs -o /dev/null "$1/api/v1/agents" -H "Authorization: Bearer $2" -H 'Content-Type: application/json' \
      -d "{\"name\":\"bench-agent-$i\",\"initial_budget_microdollars\":$((i * 1000000))}"
  done
}
