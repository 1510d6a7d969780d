#!/usr/bin/env node
// Fails when the JavaScript a first visit must load exceeds the budget (150 KB gzipped): the
// entry module from dist/index.html plus everything it imports statically (what the browser
// fetches before the first view renders). Lazily loaded route chunks do not count.
//
//   npm run check:bundle      (after npm run build; the ctest frontend_bundle_size runs it)

import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const BUDGET_BYTES = 150 * 1024
const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist')
const indexHtml = path.join(dist, 'index.html')
if (!existsSync(indexHtml)) {
  console.error('check-bundle: dist/index.html not found; run "npm run build" first')
  process.exit(2)
}

const html = readFileSync(indexHtml, 'utf8')
const entries = [...html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g), ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)].map(
  (m) => path.join(dist, m[1]),
)
if (entries.length === 0) {
  console.error('check-bundle: no module script in dist/index.html')
  process.exit(2)
}

// Static imports only (`import … from "./x.js"` / `import "./x.js"`), never `import("…")`.
const STATIC_IMPORT = /(?:^|[;\s])import\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+\.js)["']/g
const seen = new Map()
function visit(file) {
  if (seen.has(file)) return
  const code = readFileSync(file)
  seen.set(file, gzipSync(code, { level: 9 }).length)
  for (const m of code.toString('utf8').matchAll(STATIC_IMPORT)) visit(path.resolve(path.dirname(file), m[1]))
}
entries.forEach(visit)

const total = [...seen.values()].reduce((a, b) => a + b, 0)
for (const [file, size] of seen) console.log(`  ${path.relative(dist, file)}  ${(size / 1024).toFixed(1)} KB gz`)
const line = `initial JS ${(total / 1024).toFixed(1)} KB gzipped (budget ${BUDGET_BYTES / 1024} KB) in ${seen.size} file(s)`
if (total > BUDGET_BYTES) {
  console.error(`check-bundle: FAIL: ${line}`)
  process.exit(1)
}
console.log(`check-bundle: ok: ${line}`)
