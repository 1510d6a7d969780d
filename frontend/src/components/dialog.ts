// The submit button in a form dialog's footer, as AppDialogActions draws it and AppFormDialog
// passes it on: its label, its label while `busy`, and its data-testid.
export interface SubmitButton {
  label: string
  busyLabel?: string
  busy?: boolean
  disabled?: boolean
  danger?: boolean
  testid?: string
}
