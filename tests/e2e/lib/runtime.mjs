// An agent runtime simulated over HTTP, as a real one talks to the server: the dashboard's
// journeys use it to make spend and live events happen without a real model provider.

let seq = 0

export function runtime(api) {
  return {
    /** Creates an agent as `token` (admin or owner) with a budget in µ$; returns the agent. */
    async createAgent(token, { name, budgetMicros, ownerId, providerKeyId }) {
      const body = { name, initial_budget_microdollars: budgetMicros }
      if (ownerId) body.owner_id = ownerId
      if (providerKeyId) body.provider_key_id = providerKeyId
      return api.call('POST', 'api/v1/agents', { token, body })
    },
    /** Issues the agent's IC token (the secret a runtime authenticates with). */
    async issueIcToken(token, agentId) {
      return (await api.call('POST', `api/v1/agents/${agentId}/ic-token`, { token })).ic_token
    },
    /** Reports one completed LLM request costing `costMicros`; returns the server's answer. */
    async completedRequest(icToken, { costMicros, provider = 'openai', model = 'gpt-4o', inputTokens = 100, outputTokens = 50 }) {
      return api.call('POST', 'api/v1/analytics/events', {
        body: {
          ic_token: icToken,
          event_id: `e2e-${process.pid}-${Date.now()}-${++seq}`,
          event_type: 'llm_request_completed',
          timestamp_ms: Date.now(),
          provider,
          model,
          input_tokens: inputTokens,
          output_tokens: outputTokens,
          cost_micros: costMicros,
        },
        expect: [200, 202],
      })
    },
  }
}
