#!/usr/bin/env node
// Generates src/api/schema.d.ts from the server's own OpenAPI document, read from the built
// binary (never from a hand-kept copy), so the UI's types are exactly what the server serves.
//
//   npm run gen:api              regenerate (IRONPANEL_BIN, default ../build/ironpanel)
//   npm run gen:api -- --check   fail (exit 1) when the committed file differs: the ctest
//                                frontend_api_types runs this, so a server change that breaks
//                                the UI's contract breaks the build until the types are regenerated.

import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript'
import { startServer, stopServer } from '../../tests/e2e/lib/server.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const target = path.join(here, '..', 'src', 'api', 'schema.d.ts')
const bin = process.env.IRONPANEL_BIN ?? path.join(here, '..', '..', 'build', 'ironpanel')
const check = process.argv.includes('--check')

if (!existsSync(bin)) {
  console.error(`gen-api: ${bin} not found; build the ironpanel target or set IRONPANEL_BIN`)
  process.exit(2)
}

const server = await startServer(bin)
let doc
try {
  const res = await fetch(`${server.origin}/api/v1/openapi.json`)
  if (!res.ok) throw new Error(`GET /api/v1/openapi.json: HTTP ${res.status}`)
  doc = await res.json()
} finally {
  await stopServer(server)
}

const generated = COMMENT_HEADER + astToString(await openapiTS(doc, { alphabetize: true }))

if (check) {
  const committed = await readFile(target, 'utf8').catch(() => '')
  if (committed !== generated) {
    console.error(
      `gen-api: ${path.relative(process.cwd(), target)} differs from the types generated from ${bin}'s ` +
        'OpenAPI document. Run "npm run gen:api" in frontend/ and fix what no longer type-checks.',
    )
    process.exit(1)
  }
  console.log('gen-api: schema.d.ts matches the server')
} else {
  await writeFile(target, generated)
  console.log(`gen-api: wrote ${path.relative(process.cwd(), target)} (${generated.length} bytes)`)
}
