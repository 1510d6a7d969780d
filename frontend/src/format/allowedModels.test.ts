import { describe, expect, it } from 'vitest'
import { allowedModelsText, describeAllowedModels, MAX_ALLOWED_MODELS, parseAllowedModels } from './allowedModels'

describe('parseAllowedModels', () => {
  it.each([
    ['switch off: every model', false, 'gpt-4o', null],
    ['switch on, nothing entered: no model', true, '', []],
    ['switch on, only separators: no model', true, ' , \n ,', []],
    ['one exact name', true, 'gpt-4o', ['gpt-4o']],
    ['comma separated, trimmed', true, ' gpt-4o* , o1 ', ['gpt-4o*', 'o1']],
    ['new lines (and CRLF)', true, 'gpt-4o*\r\nopenai/o1\n\nclaude-*', ['gpt-4o*', 'openai/o1', 'claude-*']],
    ['duplicates dropped in order', true, 'b\na\nb', ['b', 'a']],
    ['provider-qualified and a slash in the name', true, 'openai/gpt-4o*, meta-llama/llama-3*', ['openai/gpt-4o*', 'meta-llama/llama-3*']],
  ])('%s', (_name, restrict, text, expected) => {
    expect(parseAllowedModels(restrict, text)).toEqual({ ok: true, list: expected })
  })

  it.each([
    ['a control character', 'gpt\u0001-4o', /control character/],
    ['a tab inside an entry', 'gpt\t4o', /control character/],
    ['an entry of 201 characters', 'm'.repeat(201), /longer than 200/],
    ['101 entries', Array.from({ length: MAX_ALLOWED_MODELS + 1 }, (_, i) => `m${i}`).join(','), /At most 100/],
  ])('refuses %s', (_name, text, message) => {
    const r = parseAllowedModels(true, text)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error).toMatch(message)
  })

  it('accepts the bounds themselves', () => {
    expect(parseAllowedModels(true, 'm'.repeat(200)).ok).toBe(true)
    expect(parseAllowedModels(true, Array.from({ length: 100 }, (_, i) => `m${i}`).join('\n')).ok).toBe(true)
  })

  it('round-trips through the edit text', () => {
    const list = ['gpt-4o*', 'openai/o1']
    expect(parseAllowedModels(true, allowedModelsText(list))).toEqual({ ok: true, list })
    expect(allowedModelsText(null)).toBe('')
  })
})

describe('describeAllowedModels', () => {
  it('tells null, empty and a list apart', () => {
    expect(describeAllowedModels(null)).toBe('All models')
    expect(describeAllowedModels(undefined)).toBe('All models')
    expect(describeAllowedModels([])).toBe('No models')
    expect(describeAllowedModels(['gpt-4o*', 'o1'])).toBe('gpt-4o*, o1')
  })
})
