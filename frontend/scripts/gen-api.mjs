#!/usr/bin/env node
// Generates src/api/schema.d.ts from the server's own OpenAPI document, read from the built
// binary (never from a hand-kept copy), so the UI's types are exactly what the server serves.
//
//   npm run gen:api              regenerate (IRONPANEL_BIN, default ../build/ironpanel)
//   npm run gen:api -- --check   fail (exit 1) when the committed file differs: the ctest
//                                frontend_api_types runs this, so a server change that breaks
//                                the UI's contract breaks the build until the types are regenerated.

import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript'
import { servedOpenApiDocument } from './served-openapi.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const target = path.join(here, '..', 'src', 'api', 'schema.d.ts')
const check = process.argv.includes('--check')

const doc = await servedOpenApiDocument('gen-api')

const generated = COMMENT_HEADER + astToString(await openapiTS(doc, { alphabetize: true }))

if (check) {
  const committed = await readFile(target, 'utf8').catch(() => '')
  if (committed !== generated) {
    console.error(
      `gen-api: ${path.relative(process.cwd(), target)} differs from the types generated from the built ` +
        'binary\'s OpenAPI document. Run "npm run gen:api" in frontend/ and fix what no longer type-checks.',
    )
    process.exit(1)
  }
  console.log('gen-api: schema.d.ts matches the server')
} else {
  await writeFile(target, generated)
  console.log(`gen-api: wrote ${path.relative(process.cwd(), target)} (${generated.length} bytes)`)
}
