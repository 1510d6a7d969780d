// The first-run API (GET/POST /api/v1/setup): whether an admin exists yet, and redeeming the
// one-time setup token the server logs at its first start for the first admin account.
import { api, unwrap } from '../../api/client'

export async function setupRequired(): Promise<boolean> {
  return (await unwrap(api.GET('/api/v1/setup'))).setup_required
}

export interface FirstAdmin {
  setup_token: string
  email: string
  password: string
  name?: string
}

export async function createFirstAdmin(admin: FirstAdmin): Promise<void> {
  await unwrap(api.POST('/api/v1/setup', { body: admin }))
}
