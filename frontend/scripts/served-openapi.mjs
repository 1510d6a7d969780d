// The OpenAPI document the built binary serves, read by starting it on a fresh data dir:
// the one source for the generated types (gen-api.mjs) and the operation coverage check
// (check-operations.mjs). Exits 2 when the binary is missing.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startServer, stopServer } from '../../tests/e2e/lib/server.mjs'

export async function servedOpenApiDocument(tool) {
  const here = path.dirname(fileURLToPath(import.meta.url))
  const bin = process.env.IRONPANEL_BIN ?? path.join(here, '..', '..', 'build', 'ironpanel')
  if (!existsSync(bin)) {
    console.error(`${tool}: ${bin} not found; build the ironpanel target or set IRONPANEL_BIN`)
    process.exit(2)
  }
  const server = await startServer(bin)
  try {
    const res = await fetch(`${server.origin}/api/v1/openapi.json`)
    if (!res.ok) throw new Error(`GET /api/v1/openapi.json: HTTP ${res.status}`)
    return await res.json()
  } finally {
    await stopServer(server)
  }
}
