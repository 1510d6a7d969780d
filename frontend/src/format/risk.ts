// Budget risk levels as the server reports them (analytics/budget/status `risk_level`), in
// increasing order of urgency.
export const RISK_LEVELS = ['low', 'medium', 'high', 'critical', 'exhausted'] as const
export type RiskLevel = (typeof RISK_LEVELS)[number]
