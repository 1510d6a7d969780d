#!/usr/bin/env node
// Fails when an operation of the server's OpenAPI document has no place in the dashboard:
// everything a person (not an agent runtime) can do through the API must be doable in the UI.
//
// The document comes from the built binary (like gen-api.mjs); the dashboard's calls are read
// from its source: every typed call `api.METHOD('/api/v1/…'`, every `downloadFile('/api/v1/…'`
// (a GET with format=csv) and the live stream's `apiUrl('api/v1/…')`. Tests, the generated
// schema and the fetch mock do not count. A single-object read `GET /x/{id}` has its place
// where the view lists `GET /x` (each row shows that object). Operations that only runtimes,
// old clients or monitoring use, and reads whose data a view shows through another operation,
// are listed below, each with the reason; listing one that the dashboard does call, or one that
// no longer exists, is an error too, so the list cannot rot.
//
//   npm run check:operations      (the ctest frontend_operation_coverage runs it)

import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { servedOpenApiDocument } from './served-openapi.mjs'

// "METHOD /path" as written in the OpenAPI document → why no view performs it.
const NO_VIEW_CALL = {
  'GET /health': 'monitoring probe',
  'GET /health/live': 'monitoring probe',
  'GET /health/ready': 'monitoring probe',
  'GET /api/health': 'predecessor monitoring probe',
  'GET /metrics': 'Prometheus scrape',
  'GET /api/v1/openapi.json': 'the contract itself (the UI is typed from it at build time)',
  'GET /api/v1/version': 'predecessor compatibility; the System view shows the version',
  'POST /api/v1/budget/handshake': 'agent runtime: lease protocol',
  'POST /api/v1/budget/report': 'agent runtime: lease protocol',
  'POST /api/v1/budget/return': 'agent runtime: lease protocol',
  'POST /api/v1/budget/refresh': 'agent runtime: lease protocol',
  'POST /api/v1/agents/provider-key': 'agent runtime: key fetch with its IC token',
  'GET /api/v1/keys': 'runtime API token: key fetch',
  'POST /api/v1/analytics/events': 'agent runtime: usage event ingestion',
  'POST /api/v1/analytics/events/batch': 'agent runtime: usage event ingestion',
  'POST /api/v1/auth/validate': 'other services checking an access token (predecessor contract)',
  'POST /api/v1/api-tokens/validate': 'other services checking an API token (predecessor contract)',
  'GET /api/v1/analytics/spending/total': 'predecessor compatibility; Overview shows the same figures from /analytics/overview',
  'GET /api/v1/analytics/spending/avg-per-request': 'predecessor compatibility; Overview and Analytics show spend and request counts',
  'GET /api/v1/analytics/usage/requests': 'predecessor compatibility; Overview and Analytics show requests and success rate',
  'GET /api/v1/agents/{id}/ic-token': "the agent's has_ic_token carries the status shown in the list and on the IC-token card",
  'GET /api/v1/limits': 'Usage limits lists every limit with its usage through /limits/usage',
  'GET /api/v1/limits/{id}': 'Usage limits lists every limit with its usage through /limits/usage',
  'GET /api/v1/usage/aggregate': 'predecessor compatibility; Analytics shows the same data',
  'GET /api/v1/usage/by-project/{project_id}': 'predecessor compatibility; Analytics shows the same data',
  'GET /api/v1/usage/by-provider/{provider}': 'predecessor compatibility; Analytics shows the same data',
}
const METHODS = ['get', 'put', 'post', 'delete', 'patch']

const here = path.dirname(fileURLToPath(import.meta.url))
const src = path.join(here, '..', 'src')
const doc = await servedOpenApiDocument('check-operations')

const documented = new Set()
for (const [p, item] of Object.entries(doc.paths ?? {}))
  for (const m of METHODS) if (item[m]) documented.add(`${m.toUpperCase()} ${p}`)

function* sourceFiles(dir) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name)
    if (statSync(full).isDirectory()) {
      if (name !== 'test') yield* sourceFiles(full)
    } else if (/\.(ts|vue)$/.test(name) && !/\.test\.ts$/.test(name) && name !== 'schema.d.ts') {
      yield full
    }
  }
}

const CALLS = [
  [/\b(GET|POST|PUT|PATCH|DELETE)\(\s*['"`](\/api\/v1\/[^'"`?]*)['"`]/g, (m) => `${m[1]} ${m[2]}`],
  [/\bdownloadFile\(\s*['"`](\/api\/v1\/[^'"`?]*)['"`]/g, (m) => `GET ${m[1]}`],
  [/\bapiUrl\(\s*['"`](api\/v1\/[^'"`?]*)['"`]/g, (m) => `GET /${m[1]}`],
]
const used = new Map() // operation -> first file calling it
for (const file of sourceFiles(src)) {
  const text = readFileSync(file, 'utf8')
  for (const [re, op] of CALLS)
    for (const m of text.matchAll(re)) if (!used.has(op(m))) used.set(op(m), path.relative(src, file))
}

// GET /x/{id} is shown wherever GET /x is listed.
const listedOnly = (op) => {
  const m = /^GET (.+)\/\{[^}]+\}$/.exec(op)
  return m !== null && used.has(`GET ${m[1]}`)
}

const problems = []
for (const op of [...documented].sort()) {
  if (op in NO_VIEW_CALL) {
    if (used.has(op)) problems.push(`${op} is listed as having no view call but ${used.get(op)} calls it: drop it from the list`)
  } else if (!used.has(op) && !listedOnly(op)) {
    problems.push(`${op} has no place in the dashboard (no view calls it)`)
  }
}
for (const op of Object.keys(NO_VIEW_CALL))
  if (!documented.has(op)) problems.push(`${op} is listed as having no view call but is not in the OpenAPI document`)
for (const [op, file] of used)
  if (!documented.has(op)) problems.push(`${file} calls ${op}, which the OpenAPI document does not have`)

const people = [...documented].filter((op) => !(op in NO_VIEW_CALL)).length
if (problems.length) {
  for (const p of problems) console.error(`check-operations: ${p}`)
  console.error(`check-operations: FAIL (${problems.length} problems; ${people} operations are for people)`)
  process.exit(1)
}
console.log(`check-operations: every one of the ${people} operations for people has a view; ${Object.keys(NO_VIEW_CALL).length} are runtime, compatibility or shown through another operation`)
