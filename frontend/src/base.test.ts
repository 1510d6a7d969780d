import { afterEach, describe, expect, it } from 'vitest'
import { apiUrl, apiUrlOf, basePath, basePathOf } from './base'

describe('basePathOf', () => {
  it('returns the root for a root base', () => {
    expect(basePathOf('http://127.0.0.1:8080/')).toBe('/')
  })
  it('keeps a sub-path base', () => {
    expect(basePathOf('http://127.0.0.1:8080/panel/')).toBe('/panel/')
  })
  it('cuts a base that names a file back to its directory', () => {
    expect(basePathOf('http://127.0.0.1:8080/panel/index.html')).toBe('/panel/')
    expect(basePathOf('http://127.0.0.1:8080/panel')).toBe('/')
  })
  it('ignores query and fragment', () => {
    expect(basePathOf('http://h/panel/?x=1#y')).toBe('/panel/')
  })
})

describe('apiUrlOf', () => {
  it('resolves under the root', () => {
    expect(apiUrlOf('health', 'http://h/').href).toBe('http://h/health')
  })
  it('resolves under a sub-path', () => {
    expect(apiUrlOf('health', 'http://h/panel/').href).toBe('http://h/panel/health')
    expect(apiUrlOf('api/v1/users', 'http://h/panel/').href).toBe('http://h/panel/api/v1/users')
  })
  it('never escapes the base with a leading slash', () => {
    expect(apiUrlOf('/health', 'http://h/panel/').href).toBe('http://h/panel/health')
    expect(apiUrlOf('//evil.example/x', 'http://h/panel/').href).toBe('http://h/panel/evil.example/x')
  })
  it('resolves against the directory even when the base names a file', () => {
    expect(apiUrlOf('health', 'http://h/panel/index.html').href).toBe('http://h/panel/health')
  })
})

describe('document-based helpers', () => {
  afterEach(() => {
    document.head.querySelectorAll('base').forEach((el) => el.remove())
  })

  it.each([
    ['follow the <base href> the server writes', '/panel/', '/panel/health'],
    ['fall back to the root for <base href="/">', '/', '/health'],
  ])('%s', (_, href, health) => {
    const base = document.createElement('base')
    base.setAttribute('href', href)
    document.head.prepend(base)
    expect(basePath()).toBe(href)
    expect(apiUrl('health').pathname).toBe(health)
  })
})
