// Before/after of an audit row as the fields that changed. The server writes both sides as
// JSON documents with secrets already redacted; this only compares what it was given and never
// invents a value. Nested objects are compared field by field under dotted names
// (`limits.daily`), arrays and scalars as whole values.

export type DiffKind = 'added' | 'removed' | 'changed'

export interface DiffRow {
  field: string
  kind: DiffKind
  before?: unknown
  after?: unknown
}

type Json = unknown

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function same(a: Json, b: Json): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

function walk(before: Json, after: Json, prefix: string, out: DiffRow[]): void {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()
    for (const k of keys) {
      const name = prefix ? `${prefix}.${k}` : k
      const inB = k in before
      const inA = k in after
      if (inB && !inA) out.push({ field: name, kind: 'removed', before: before[k] })
      else if (!inB && inA) out.push({ field: name, kind: 'added', after: after[k] })
      else walk(before[k], after[k], name, out)
    }
    return
  }
  if (!same(before, after)) out.push({ field: prefix || '(value)', kind: 'changed', before, after })
}

/** The changed fields between two audit documents (null/undefined = that side is absent). */
export function diffFields(before: Json, after: Json): DiffRow[] {
  const out: DiffRow[] = []
  const hasB = before !== null && before !== undefined
  const hasA = after !== null && after !== undefined
  if (!hasB && !hasA) return out
  // A creation or deletion: every field of the one side, as added or removed.
  if (!hasB) walk({}, isObject(after) ? after : { '(value)': after }, '', out)
  else if (!hasA) walk(isObject(before) ? before : { '(value)': before }, {}, '', out)
  else walk(before, after, '', out)
  return out
}

/** A value as one line of text: strings as they are, the rest as compact JSON. */
export function showValue(v: unknown): string {
  if (v === undefined) return ''
  if (typeof v === 'string') return v
  return JSON.stringify(v)
}
