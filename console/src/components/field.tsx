import type { FieldError } from 'pconn/sdk';

/** What a labelled form field shows and edits. */
export interface FieldProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  /** The server's errors for this field (from the problem's pointers). */
  errors?: FieldError[] | undefined;
  type?: string;
  required?: boolean;
  placeholder?: string;
  /** A textarea instead of an input. */
  multiline?: boolean;
  /** A select with these options instead of an input. */
  options?: readonly string[];
  help?: string;
  autocomplete?: string;
}

/**
 * A labelled control with its errors and hints right under it, tied to it by
 * aria-describedby, and aria-invalid while the server reports a problem with it.
 */
export function Field(props: FieldProps) {
  const errors = props.errors ?? [];
  const describedBy = [errors.length > 0 ? `${props.id}-error` : '', props.help ? `${props.id}-help` : '']
    .filter(Boolean)
    .join(' ');
  const common = {
    id: props.id,
    name: props.id,
    'aria-invalid': errors.length > 0 ? ('true' as const) : undefined,
    'aria-describedby': describedBy || undefined,
    required: props.required,
  };
  const onInput = (event: Event) => props.onInput((event.currentTarget as HTMLInputElement).value);
  return (
    <div class={`field${errors.length > 0 ? ' invalid' : ''}`}>
      <label for={props.id}>{props.label}</label>
      {props.options ? (
        <select {...common} value={props.value} onChange={onInput}>
          {props.options.map((option) => (
            <option key={option} value={option}>
              {option || '—'}
            </option>
          ))}
        </select>
      ) : props.multiline ? (
        <textarea
          {...common}
          value={props.value}
          onInput={onInput}
          rows={6}
          placeholder={props.placeholder}
        />
      ) : (
        <input
          {...common}
          type={(props.type ?? 'text') as 'text'}
          value={props.value}
          onInput={onInput}
          placeholder={props.placeholder}
          autocomplete={props.autocomplete}
        />
      )}
      {props.help ? (
        <div class="help" id={`${props.id}-help`}>
          {props.help}
        </div>
      ) : null}
      {errors.length > 0 ? (
        <div class="field-error" id={`${props.id}-error`}>
          {errors.map((error) => (
            <p key={error.code + error.detail}>
              {error.detail}
              {error.hint ? <span class="hint"> Hint: {error.hint}</span> : null}
            </p>
          ))}
        </div>
      ) : null}
    </div>
  );
}
