// Form building blocks: every control has a visible label, hints and the API's error are
// tied to it with aria-describedby, and the field an error is about gets aria-invalid.
// Forms are `noValidate`: the API's messages are the only validation messages, so the
// console never disagrees with the CLI or a script about what is valid.
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useId, useRef } from 'preact/hooks';
import type { ApiError } from '../api.js';
import { errorConcerns } from './field-errors.js';

interface FormState {
  error: ApiError | undefined;
  errorId: string;
}
const FormContext = createContext<FormState>({ error: undefined, errorId: '' });

export interface FormProps {
  /** Accessible name of the form. */
  label: string;
  error: ApiError | undefined;
  busy?: boolean;
  onSubmit: () => void;
  children: ComponentChildren;
  class?: string;
}

export function Form({ label, error, busy, onSubmit, children, class: className }: FormProps) {
  const errorId = useId();
  const ref = useRef<HTMLFormElement>(null);
  // Take the keyboard to the field the error is about, else leave focus where it is:
  // the alert is announced either way.
  useEffect(() => {
    if (error) ref.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [error]);
  return (
    <FormContext.Provider value={{ error, errorId }}>
      <form
        ref={ref}
        class={className ?? 'form'}
        aria-label={label}
        aria-busy={busy ? 'true' : undefined}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit();
        }}
      >
        {children}
        <div id={errorId} class="form-error" role="alert">
          {error ? <p>{error.message}</p> : null}
        </div>
      </form>
    </FormContext.Provider>
  );
}

/** Props every control shares; `name` is the API's field name, used to place its errors. */
interface ControlProps {
  label: string;
  name: string;
  hint?: ComponentChildren;
  required?: boolean;
}

function useControl(name: string, hint: ComponentChildren | undefined) {
  const id = useId();
  const { error, errorId } = useContext(FormContext);
  const invalid = errorConcerns(error, name);
  const hintId = hint ? `${id}-hint` : undefined;
  const describedBy = [hintId, invalid ? errorId : undefined].filter(Boolean).join(' ') || undefined;
  return { id, hintId, attrs: { id, name, 'aria-invalid': invalid ? ('true' as const) : undefined, 'aria-describedby': describedBy } };
}

function Label({ id, label, required }: { id: string; label: string; required?: boolean }) {
  return (
    <label for={id}>
      {label}
      {required ? <span class="required" aria-hidden="true"> *</span> : null}
    </label>
  );
}

const Hint = ({ id, hint }: { id: string | undefined; hint: ComponentChildren }) => (id ? <p id={id} class="hint">{hint}</p> : null);

/** The input attributes the console uses. */
interface InputAttrs {
  type?: 'text' | 'password' | 'number' | 'url';
  autoComplete?: string;
  autoCapitalize?: 'none' | 'off';
  spellcheck?: boolean;
  placeholder?: string;
  inputMode?: 'numeric' | 'text' | 'url';
  min?: number;
  max?: number;
}

export function TextField(props: ControlProps & InputAttrs & { value: string; onValue: (value: string) => void }) {
  const { label, name, hint, required, value, onValue, type = 'text', ...rest } = props;
  const { id, hintId, attrs } = useControl(name, hint);
  return (
    <div class="field">
      <Label id={id} label={label} required={required} />
      {/* Preact types each input type with its ARIA roles, a union tsc cannot check a variable
          type against; ours all keep the default role. */}
      {/* eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion */}
      <input type={type as 'text'} {...rest} {...attrs} required={required} value={value} onInput={(e) => onValue(e.currentTarget.value)} />
      <Hint id={hintId} hint={hint} />
    </div>
  );
}

export function TextArea(props: ControlProps & { value: string; onValue: (value: string) => void; rows?: number; spellcheck?: boolean }) {
  const { label, name, hint, required, value, onValue, rows, spellcheck } = props;
  const { id, hintId, attrs } = useControl(name, hint);
  return (
    <div class="field">
      <Label id={id} label={label} required={required} />
      <textarea {...attrs} rows={rows ?? 3} spellcheck={spellcheck} required={required} value={value} onInput={(e) => onValue(e.currentTarget.value)} />
      <Hint id={hintId} hint={hint} />
    </div>
  );
}

export function SelectField<T extends string>(props: ControlProps & { value: T; onValue: (value: T) => void; options: readonly { value: T; label: string }[] }) {
  const { label, name, hint, required, value, onValue, options } = props;
  const { id, hintId, attrs } = useControl(name, hint);
  return (
    <div class="field">
      <Label id={id} label={label} required={required} />
      <select {...attrs} required={required} value={value} onChange={(e) => onValue(e.currentTarget.value as T)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <Hint id={hintId} hint={hint} />
    </div>
  );
}

export function Checkbox({ label, name, checked, onValue, hint }: ControlProps & { checked: boolean; onValue: (value: boolean) => void }) {
  const { id, hintId, attrs } = useControl(name, hint);
  return (
    <div class="field field-check">
      <input type="checkbox" {...attrs} checked={checked} onChange={(e) => onValue(e.currentTarget.checked)} />
      <label for={id}>{label}</label>
      <Hint id={hintId} hint={hint} />
    </div>
  );
}

export function Actions({ children }: { children: ComponentChildren }) {
  return <div class="actions">{children}</div>;
}

/** Splits a textarea's lines into values, dropping blank lines. */
export const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);
