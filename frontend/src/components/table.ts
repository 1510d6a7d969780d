// Column description for AppDataTable.
export interface TableColumn {
  /** Row property shown by default, the sort key sent to the server and the cell slot name (`cell-<key>`). */
  key: string
  label: string
  sortable?: boolean
  /** Numbers and money align to the end. */
  align?: 'start' | 'end'
  /** Hidden on phones (below 640 px) when the row stays meaningful without it. */
  optional?: boolean
  /** How the default cell shows the value: integer microdollars as money, or a grouped count.
   *  Both align to the end. A `cell-<key>` slot still overrides. */
  format?: 'money' | 'count'
}

/** Sort as it sits in the URL: 'name' ascending, '-name' descending, '' the server's default. */
export function nextSort(current: string, key: string): string {
  if (current === key) return `-${key}`
  return key
}

export function sortDirection(current: string, key: string): 'ascending' | 'descending' | 'none' {
  if (current === key) return 'ascending'
  if (current === `-${key}`) return 'descending'
  return 'none'
}
