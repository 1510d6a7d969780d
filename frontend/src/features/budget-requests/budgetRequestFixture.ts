// A budget request as GET /api/v1/budget/requests answers it, for the unit tests: $5 asked
// to become $12.50 for agent 7.
export function budgetRequest(id: string, status: string, requester = 'u1', created = 1) {
  return {
    id,
    agent_id: 7,
    requester_id: requester,
    current_budget_usd: 5,
    requested_budget_usd: 12.5,
    current_budget_microdollars: 5_000_000,
    requested_budget_microdollars: 12_500_000,
    justification: '',
    status,
    rejection_reason: null,
    decided_by: null,
    decided_at: null,
    created_at: created,
    updated_at: created,
  }
}
