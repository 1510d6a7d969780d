// Starts and stops the real ironpanel binary on a fresh data dir for end-to-end runs and for
// frontend/scripts/gen-api.mjs. The server listens on 127.0.0.1:0; the chosen address and the
// one-time setup token are read from its JSON log lines, so there is nothing to guess or sleep.

import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'

const LISTEN_TIMEOUT_MS = 15_000
const STOP_TIMEOUT_MS = 10_000

export class E2eError extends Error {}

export function indent(lines) {
  return lines.map((l) => `    ${l}`).join('\n')
}

const children = new Set()
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})

/**
 * Starts `bin serve` and resolves once it logged {"msg":"listening","addr":"HOST:PORT"}.
 * Returns { addr, origin, setupToken, log, errorLines, command, ... } for stopServer().
 */
export async function startServer(bin, extraArgs = [], env = {}) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'ironpanel-e2e-data-'))
  const args = ['serve', '--data', dataDir, '--listen', '127.0.0.1:0', '--log-format', 'json', ...extraArgs]
  const child = spawn(path.resolve(bin), args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  children.add(child)

  const server = {
    child,
    dataDir,
    command: `${bin} ${args.join(' ')}`,
    log: [], // last lines of stdout and stderr, for failure reports
    errorLines: [], // JSON log lines with level error/fatal
    setupToken: null,
    exited: new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        children.delete(child)
        resolve({ code, signal })
      })
    }),
  }
  const remember = (line) => {
    // The setup token is a secret: keep it out of failure reports.
    server.log.push(line.replace(/setup_[A-Za-z0-9]+/g, 'setup_…'))
    if (server.log.length > 200) server.log.shift()
  }

  // Both pipes are drained for the whole run so the server never blocks on a full pipe.
  createInterface({ input: child.stderr }).on('line', (line) => remember(`[stderr] ${line}`))

  const addr = await new Promise((resolve, reject) => {
    let settled = false
    const settle = (fn, value) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      fn(value)
    }
    const timer = setTimeout(
      () => settle(reject, new E2eError(`no "listening" log line within ${LISTEN_TIMEOUT_MS} ms`)),
      LISTEN_TIMEOUT_MS,
    )
    child.once('error', (e) => settle(reject, new E2eError(`cannot start server: ${e.message}`)))
    server.exited.then(({ code, signal }) =>
      settle(reject, new E2eError(`server exited before listening (code ${code}, signal ${signal})`)),
    )
    createInterface({ input: child.stdout }).on('line', (line) => {
      remember(line)
      let entry
      try {
        entry = JSON.parse(line)
      } catch {
        return // not a JSON line: kept in the log tail, otherwise ignored
      }
      if (!entry || typeof entry !== 'object') return
      if (entry.level === 'error' || entry.level === 'fatal') server.errorLines.push(line)
      if (typeof entry.setup_token === 'string') server.setupToken = entry.setup_token
      if (entry.msg === 'listening') {
        if (typeof entry.addr !== 'string' || !/^[\d.]+:\d+$/.test(entry.addr)) {
          settle(reject, new E2eError(`"listening" line has no usable addr: ${line}`))
        } else {
          settle(resolve, entry.addr)
        }
      }
    })
  }).catch(async (e) => {
    await stopServer(server).catch(() => {})
    e.message += `\n  command: ${server.command}\n  server output:\n${indent(server.log)}`
    throw e
  })

  server.addr = addr
  server.origin = `http://${addr}`
  return server
}

/** SIGTERM, then wait for a clean exit. Returns a short status string. */
export async function stopServer(server) {
  const { child } = server
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
  let timer
  const result = await Promise.race([
    server.exited,
    new Promise((resolve) => {
      timer = setTimeout(() => resolve(null), STOP_TIMEOUT_MS)
    }),
  ])
  clearTimeout(timer)
  await rm(server.dataDir, { recursive: true, force: true })
  if (result === null) {
    child.kill('SIGKILL')
    await server.exited
    throw new E2eError(`server did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM`)
  }
  if (result.code !== null && result.code !== 0) {
    throw new E2eError(`server exited with code ${result.code} after SIGTERM`)
  }
  return result.code === 0 ? 'exit 0' : `killed by ${result.signal}`
}
