// The server's password rule (src/security/password.h), shown while typing so the form never
// has to be submitted to learn it. The server still decides.
export const MIN_PASSWORD_LENGTH = 12
export const MAX_PASSWORD_LENGTH = 1000

/** The problem with a new password, or null when it passes the local checks. */
export function passwordProblem(password: string, confirm: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters.`
  if (password.length > MAX_PASSWORD_LENGTH) return `Use at most ${MAX_PASSWORD_LENGTH} characters.`
  if (confirm !== password) return 'The two passwords differ.'
  return null
}
