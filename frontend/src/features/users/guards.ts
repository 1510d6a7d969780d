// Why an admin action on an account would be refused, mirroring domain::Accounts: never your
// own account, never the last active admin. The view disables the control and shows the reason;
// the server still decides (and its refusal is shown in words when the two disagree).
import type { ApiError } from '../../api/errors'
import type { User } from './useUsers'

export type UserAction = 'role' | 'suspend' | 'delete'

const VERB: Record<UserAction, string> = { role: 'change the role of', suspend: 'suspend', delete: 'delete' }

/** The reason `action` on `target` is refused, or null when it is allowed. */
export function refusal(action: UserAction, target: User, myId: string | null | undefined, activeAdmins: number | null): string | null {
  if (target.id === myId) return `You cannot ${VERB[action]} your own account.`
  const lastAdmin = target.role === 'admin' && target.is_active && activeAdmins !== null && activeAdmins <= 1
  if (lastAdmin) return 'This is the last active admin; promote another admin first.'
  return null
}

/** Plain words for the server's refusals, keyed by the envelope code. */
const REFUSALS: Record<string, string> = {
  SELF_MODIFICATION_FORBIDDEN: 'You cannot do this to your own account.',
  LAST_ADMIN: 'This is the last active admin; promote another admin first.',
  USERNAME_TAKEN: 'That username is already in use.',
  EMAIL_TAKEN: 'That email address is already in use.',
  ALREADY_SUSPENDED: 'This account is already suspended.',
  ALREADY_ACTIVE: 'This account is already active.',
}

/**
 * A refusal belongs beside the action (the dialog says it in words); a 401, a forced password
 * change, a network failure or a 5xx goes to the one error handler instead.
 */
export function isRefusal(err: ApiError): boolean {
  return err.code in REFUSALS || [400, 403, 404, 409].includes(err.status) && err.code !== 'PASSWORD_CHANGE_REQUIRED'
}

/** The server's refusal in words: ours for a known code, else the server's own message. */
export function refusalText(err: ApiError): string {
  return REFUSALS[err.code] ?? err.message
}
